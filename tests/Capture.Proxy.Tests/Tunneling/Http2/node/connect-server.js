// An HBONE-shaped HTTP/2 CONNECT server on Node's http2 (nghttp2): the independent peer of Http2ClientConnection's tests.
// Usage: node connect-server.js [--tls DIR (cert.pem, key.pem)] [--max-streams N] [--window BYTES]
// Prints "LISTENING <port>" once bound to 127.0.0.1. Each CONNECT is checked (:method CONNECT, :authority present,
// no :scheme/:path; else 400) and then handled by its x-mode header:
//   echo (default)  echo every byte; end our side when the client ends its side
//   server-first    send "hello" and END_STREAM at once, then count what the client sends until it ends
//   reset           after x-after bytes, RST_STREAM with code x-code
//   slow-read       do not read for x-pause-ms, then echo
//   source          send x-bytes bytes (pattern i % 251), END_STREAM
//   status          answer with :status x-status and END_STREAM
//   stats           answer with the JSON record of stream x-id (bytes received, how it ended), END_STREAM
'use strict';
const http2 = require('http2');
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const option = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const tlsDir = option('--tls', null);
const settings = { maxConcurrentStreams: Number(option('--max-streams', 1000)), initialWindowSize: Number(option('--window', 65535)) };
const records = new Map();

function handle(stream, headers) {
  const mode = headers['x-mode'] || 'echo';
  const id = headers['x-id'] || '';
  const record = { received: 0, ended: false, rstCode: null, checks: '' };
  if (id) records.set(id, record);
  const problems = [];
  if (headers[':method'] !== 'CONNECT') problems.push('method ' + headers[':method']);
  if (!headers[':authority']) problems.push('no :authority');
  if (headers[':scheme'] !== undefined) problems.push(':scheme present');
  if (headers[':path'] !== undefined) problems.push(':path present');
  record.checks = problems.length ? problems.join(', ') : 'ok';
  record.authority = headers[':authority'];
  record.forwarded = headers['forwarded'] || null;
  stream.on('close', () => { record.rstCode = stream.rstCode; });
  stream.on('error', () => {});
  if (problems.length) { stream.respond({ ':status': 400, 'x-problems': record.checks }, { endStream: true }); return; }
  const countOnly = () => { stream.on('data', (chunk) => { record.received += chunk.length; }); stream.on('end', () => { record.ended = true; }); };

  switch (mode) {
    case 'echo':
      stream.respond({ ':status': 200 });
      stream.on('data', (chunk) => { record.received += chunk.length; });
      stream.on('end', () => { record.ended = true; });
      stream.pipe(stream);
      break;
    case 'server-first':
      stream.respond({ ':status': 200 });
      stream.end('hello');
      countOnly();
      break;
    case 'reset': {
      const after = Number(headers['x-after'] || 0);
      const code = Number(headers['x-code'] || http2.constants.NGHTTP2_CONNECT_ERROR);
      stream.respond({ ':status': 200 });
      const reset = () => stream.close(code);
      if (after === 0) { setImmediate(reset); break; }
      stream.on('data', (chunk) => { record.received += chunk.length; if (record.received >= after) reset(); });
      break;
    }
    case 'slow-read':
      stream.respond({ ':status': 200 });
      stream.pause();
      setTimeout(() => { stream.on('data', (chunk) => { record.received += chunk.length; }); stream.on('end', () => { record.ended = true; }); stream.pipe(stream); stream.resume(); },
        Number(headers['x-pause-ms'] || 1000));
      break;
    case 'source': {
      let remaining = Number(headers['x-bytes'] || 0);
      const chunk = Buffer.alloc(64 * 1024);
      for (let i = 0; i < chunk.length; i++) chunk[i] = i % 251;
      stream.respond({ ':status': 200 });
      countOnly();
      const pump = () => {
        while (remaining > 0) {
          const n = Math.min(remaining, chunk.length);
          remaining -= n;
          if (!stream.write(chunk.subarray(0, n))) { stream.once('drain', pump); return; }
        }
        stream.end();
      };
      pump();
      break;
    }
    case 'status':
      stream.respond({ ':status': Number(headers['x-status'] || 503) }, { endStream: true });
      break;
    case 'stats':
      stream.respond({ ':status': 200 });
      stream.end(JSON.stringify(records.get(headers['x-query']) || null));
      break;
    default:
      stream.respond({ ':status': 400 }, { endStream: true });
  }
}

const server = tlsDir
  ? http2.createSecureServer({ key: fs.readFileSync(path.join(tlsDir, 'key.pem')), cert: fs.readFileSync(path.join(tlsDir, 'cert.pem')), settings })
  : http2.createServer({ settings });
server.on('stream', handle);
server.on('sessionError', () => {});
server.listen(0, '127.0.0.1', () => { process.stdout.write('LISTENING ' + server.address().port + '\n'); });
process.stdin.on('end', () => process.exit(0));   // the test closes our stdin when it is done
process.stdin.resume();
