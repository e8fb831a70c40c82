#!/usr/bin/env node
// An independent HBONE peer for Capture's tests: Node's http2 (nghttp2) over tls, as client or server.
//
//   node hbone-peer.js client --connect HOST:PORT --authority IP:PORT --cert F --key F --ca F
//        [--bytes N] [--method M] [--tls12] [--half-close] [--pause-ms N]
//     Opens one CONNECT stream, sends N random bytes (then END_STREAM), reads until END_STREAM and prints one JSON
//     line: {status, sent, received, sentSha256, receivedSha256, peerSan, peerFingerprint, error}. --pause-ms: reads
//     nothing for the first N ms after the 200 (a slow reader: the peer must be held back by flow control).
//   node hbone-peer.js server --listen IP:PORT --cert F --key F --ca F [--status N]
//     Accepts HBONE: every stream is logged as a JSON line {method, authority, scheme, path, forwarded, clientSan},
//     answered with --status (default 200) and, when 200, echoed back until END_STREAM. Prints {"listening":PORT} first.
'use strict';
const http2 = require('http2');
const tls = require('tls');
const fs = require('fs');
const crypto = require('crypto');

const [mode, ...rest] = process.argv.slice(2);
const args = {};
for (let i = 0; i < rest.length; i++) {
  const key = rest[i].replace(/^--/, '');
  if (i + 1 < rest.length && !rest[i + 1].startsWith('--')) { args[key] = rest[++i]; } else { args[key] = true; }
}
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const uriSans = (cert) => (cert && cert.subjectaltname ? cert.subjectaltname.split(', ').filter((s) => s.startsWith('URI:')).map((s) => s.slice(4)) : []);
const hostPort = (s) => { const i = s.lastIndexOf(':'); return [s.slice(0, i).replace(/^\[|\]$/g, ''), Number(s.slice(i + 1))]; };

function tlsOptions() {
  const o = { ca: fs.readFileSync(args.ca), ALPNProtocols: ['h2'], minVersion: args.tls12 ? 'TLSv1.2' : 'TLSv1.3', maxVersion: args.tls12 ? 'TLSv1.2' : 'TLSv1.3' };
  if (!args['no-cert']) { o.cert = fs.readFileSync(args.cert); o.key = fs.readFileSync(args.key); }
  return o;
}

if (mode === 'client') {
  const [host, port] = hostPort(args.connect);
  const total = Number(args.bytes || 0);
  const result = { status: 0, sent: 0, received: 0, sentSha256: '', receivedSha256: '', peerSan: [], peerFingerprint: '', error: '' };
  const sent = crypto.createHash('sha256');
  const received = crypto.createHash('sha256');
  let done = false;
  const finish = (error) => {
    if (done) return;
    done = true;
    if (error) result.error = String(error.code || error.message || error);
    result.sentSha256 = sent.digest('hex');
    result.receivedSha256 = received.digest('hex');
    out(result);
    process.exit(0);
  };
  setTimeout(() => finish(new Error('timeout')), Number(args.timeout || 30000)).unref();
  const session = http2.connect(`https://${args.connect}`, {
    ...tlsOptions(),
    // Identity is checked by the tests from peerSan, as HBONE checks URI SANs, not host names.
    checkServerIdentity: () => undefined,
    createConnection: () => tls.connect({ host, port, ...tlsOptions(), checkServerIdentity: () => undefined }),
  });
  session.on('error', finish);
  session.on('close', () => finish(result.status === 0 ? new Error('connection closed before a response') : undefined));
  session.on('connect', (s, socket) => {
    const peer = socket.getPeerCertificate();
    result.peerSan = uriSans(peer);
    result.peerFingerprint = peer && peer.fingerprint256 ? peer.fingerprint256 : '';
  });
  const stream = session.request({ ':method': args.method || 'CONNECT', ':authority': args.authority, ...(args.method && args.method !== 'CONNECT' ? { ':path': '/', ':scheme': 'https' } : {}) },
    { endStream: false });
  stream.on('response', (headers) => {
    result.status = Number(headers[':status']);
    if (result.status !== 200) { stream.close(); return; }
    if (args['pause-ms']) { stream.pause(); setTimeout(() => stream.resume(), Number(args['pause-ms'])); }
    const chunk = 64 * 1024;
    const write = () => {
      while (result.sent < total) {
        const n = Math.min(chunk, total - result.sent);
        const data = crypto.randomBytes(n);
        sent.update(data);
        result.sent += n;
        if (!stream.write(data)) { stream.once('drain', write); return; }
      }
      stream.end();
    };
    write();
  });
  stream.on('data', (d) => { received.update(d); result.received += d.length; });
  stream.on('end', () => { session.close(); finish(result.status === 0 ? new Error('stream ended before a response') : undefined); });
  stream.on('error', finish);
  stream.on('close', () => {
    if (result.status === 0) finish(new Error(`stream closed before a response (RST_STREAM ${stream.rstCode})`));
    else if (stream.rstCode && stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) finish(new Error(`RST_STREAM ${stream.rstCode}`));
    else if (result.status !== 200) { session.close(); finish(); }
  });
} else if (mode === 'server') {
  const [host, port] = hostPort(args.listen);
  const status = Number(args.status || 200);
  const server = http2.createSecureServer({ ...tlsOptions(), requestCert: true, rejectUnauthorized: true });
  server.on('stream', (stream, headers) => {
    const socket = stream.session.socket;
    out({ method: headers[':method'], authority: headers[':authority'], scheme: headers[':scheme'] || null, path: headers[':path'] || null,
      forwarded: headers.forwarded || null, clientSan: uriSans(socket.getPeerCertificate()) });
    if (status !== 200) { stream.respond({ ':status': status }, { endStream: true }); return; }
    stream.respond({ ':status': 200 });
    stream.pipe(stream);
    stream.on('error', () => {});
  });
  server.on('tlsClientError', (e) => out({ tlsClientError: String(e.code || e.message) }));
  server.listen(port, host, () => out({ listening: server.address().port }));
  process.on('SIGTERM', () => process.exit(0));
} else {
  process.stderr.write('usage: hbone-peer.js client|server ...\n');
  process.exit(2);
}
