namespace Capture.Proxy.Tunneling.Http2;

internal sealed partial class Http2ClientConnection
{
    /// <summary>
    /// Opens a stream with HEADERS (no END_STREAM): <c>:method CONNECT</c>, <c>:authority</c> and
    /// <paramref name="headers"/> (lower-case names, e.g. <c>forwarded</c>), no <c>:scheme</c>/<c>:path</c>
    /// (RFC 9113 §8.5), and waits for the response. At the stream limit it waits for a slot. Throws
    /// <see cref="IOException"/> when the connection is closed or going away, and
    /// <see cref="Http2StreamResetException"/> when the peer resets the stream (REFUSED_STREAM: retry elsewhere).
    /// </summary>
    public async Task<Http2ConnectResult> ConnectAsync(string authority, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(authority);
        ArgumentNullException.ThrowIfNull(headers);
        // Until the server's SETTINGS arrive its stream limit is unknown (RFC 9113 §5.1.2 says unlimited); streams opened
        // past its real limit would be refused. It arrives right after the TLS handshake, so this wait is short and rare.
        if (!_peerSettingsReceived.Task.IsCompleted)
        {
            await _peerSettingsReceived.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        Http2Stream? stream = null;
        while (stream is null)
        {
            TaskCompletionSource waiter;
            lock (_sync)
            {
                ThrowIfCannotOpenLocked();
                if (_streams.Count < StreamLimit)
                {
                    stream = OpenStreamLocked(authority, headers);
                    break;
                }

                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _slotWaiters.Add(waiter);
            }

            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        int status;
        try
        {
            status = await stream.Response.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (status is >= 200 and < 300)
        {
            return new Http2ConnectResult(status, stream);
        }

        // The peer refused the tunnel; it normally ended the stream with its response, and we end our side.
        await stream.DisposeAsync().ConfigureAwait(false);
        return new Http2ConnectResult(status, null);
    }

    private void ThrowIfCannotOpenLocked()
    {
        if (_closeReason is { } reason)
        {
            throw new IOException($"HTTP/2 connection closed: {reason.Message}");
        }

        if (_goAwayReceived || _nextStreamId <= 0)
        {
            throw new IOException("HTTP/2 connection is going away: no new streams");
        }
    }

    private Http2Stream OpenStreamLocked(string authority, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        int id = _nextStreamId;
        _nextStreamId += 2;    // past 2^31-1 it wraps negative: the connection then opens no more streams
        _lastOpenedStreamId = id;
        var stream = new Http2Stream(this, id, _peerInitialWindowSize, _settings.InitialStreamWindowSize);
        _streams.Add(id, stream);
        stream.InTable = true;

        _headerBlock.ResetWrittenCount();
        _encoder.BeginBlock(_headerBlock);
        _encoder.Encode(_headerBlock, ":method", "CONNECT");
        _encoder.Encode(_headerBlock, ":authority", authority);
        for (int i = 0; i < headers.Count; i++)
        {
            // forwarded, traceparent and the like change with every connection: indexing them would only churn the table.
            _encoder.Encode(_headerBlock, headers[i].Key, headers[i].Value, HpackIndexing.WithoutIndexing);
        }

        ReadOnlySpan<byte> block = _headerBlock.WrittenSpan;
        int size = Http2FrameWriter.HeadersSize(block.Length, _peerMaxFrameSize);
        _output.Advance(Http2FrameWriter.WriteHeaders(_output.GetSpan(size), id, block, endStream: false, _peerMaxFrameSize));
        _writerSignal.Set();
        return stream;
    }

    /// <summary>
    /// Copies buffered DATA into <paramref name="destination"/> and returns credit for it. Returns the bytes read, 0 at
    /// END_STREAM or after a NO_ERROR/CANCEL reset, or -1 when the caller must wait for <see cref="Http2Stream.ReadSignal"/>.
    /// </summary>
    internal int TryRead(Http2Stream stream, Span<byte> destination)
    {
        lock (_sync)
        {
            // Our own reset ends the stream for reading at once: bytes that arrived before it are not the app's any more
            // (a reset connection delivers nothing after the reset, whatever was in flight).
            if (stream.ResetCode is { } ours && !stream.ResetByPeer)
            {
                throw new ObjectDisposedException(nameof(Http2Stream), $"stream {stream.Id} was aborted ({ours})");
            }

            if (stream.Received.Length > 0)
            {
                int read = stream.Received.Read(destination);
                ReturnCreditLocked(stream, read);
                return read;
            }

            // A reset after END_STREAM (nghttp2 sends END_STREAM, then RST_STREAM with the error) still reports the error.
            if (stream.ResetCode is { } code)
            {
                return code is Http2ErrorCode.NoError or Http2ErrorCode.Cancel
                    ? 0
                    : throw new Http2StreamResetException(code, $"the peer reset stream {stream.Id} ({code})");
            }

            if (stream.RemoteEnded)
            {
                return 0;
            }

            return stream.Failure is { } failure ? throw new IOException(failure.Message, failure) : -1;
        }
    }

    /// <summary>Bytes received on the stream and not read yet (for tests and metrics).</summary>
    internal int BufferedBytes(Http2Stream stream)
    {
        lock (_sync)
        {
            return stream.Received.Length;
        }
    }

    /// <summary>Closes the stream for good: resets it if still open, drops unread bytes and returns their connection credit.</summary>
    internal void Release(Http2Stream stream)
    {
        lock (_sync)
        {
            if (stream.InTable)
            {
                ResetStreamLocked(stream, Http2ErrorCode.Cancel);
            }

            ReturnCreditLocked(null, stream.Received.Clear());
        }
    }
}
