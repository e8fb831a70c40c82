namespace Capture.Proxy.Tunneling.Http2;

internal sealed partial class Http2ClientConnection
{
    private async Task WriteLoopAsync()
    {
        try
        {
            while (true)
            {
                await _writerSignal.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                ReadOnlyMemory<byte> chunk;
                bool stopping;
                lock (_sync)
                {
                    chunk = _output.TakePending();
                    stopping = _writerStopping;

                    // The pending buffer is empty again: writers waiting for room may go on.
                    WakeBlockedWritersLocked();
                }

                if (!chunk.IsEmpty)
                {
                    await _transport.WriteAsync(chunk, _writeAbort.Token).ConfigureAwait(false);
                    if (!stopping)
                    {
                        continue;
                    }

                    // Stopping: loop once more for frames queued during the write (GOAWAY), then flush and leave.
                    _writerSignal.Set();
                    continue;
                }

                if (stopping)
                {
                    await _transport.FlushAsync(_writeAbort.Token).ConfigureAwait(false);
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or NotSupportedException or System.Security.Authentication.AuthenticationException)
        {
            Close(new Http2CloseReason(Http2CloseKind.TransportFailed, Http2ErrorCode.NoError, $"writing the transport failed: {e.Message}"), null);
        }

        // The peer has our last frames; closing the transport also ends a read loop still waiting for data.
        _transport.Dispose();
        OnLoopExited();
    }

    /// <summary>
    /// Queues one DATA frame of as much of <paramref name="data"/> as the stream window, the connection window, the
    /// peer's frame size and the room left in the write buffer allow. Returns the bytes queued; 0 means the stream
    /// must wait for its <see cref="Http2Stream.WriteSignal"/>.
    /// </summary>
    internal int TryWriteData(Http2Stream stream, ReadOnlySpan<byte> data)
    {
        lock (_sync)
        {
            ThrowIfCannotWriteLocked(stream);
            long room = _settings.WriteBufferSize - _output.Length - Http2FrameHeader.Size;
            long allowed = Math.Min(Math.Min(data.Length, stream.SendWindow), Math.Min(_connectionSendWindow, Math.Min(_peerMaxFrameSize, room)));
            if (allowed <= 0)
            {
                // A stream window is reopened by its own WINDOW_UPDATE; the connection window and the buffer's room by
                // events every blocked stream must hear about.
                if (stream.SendWindow > 0 && !stream.BlockedOnConnection)
                {
                    stream.BlockedOnConnection = true;
                    _blockedWriters.Add(stream);
                }

                return 0;
            }

            int length = (int)allowed;
            _output.Advance(Http2FrameWriter.WriteData(_output.GetSpan(Http2FrameHeader.Size + length), stream.Id, data[..length], endStream: false));
            stream.SendWindow -= length;
            _connectionSendWindow -= length;
            _writerSignal.Set();
            return length;
        }
    }

    /// <summary>Queues an empty DATA frame with END_STREAM (flow control does not apply to it).</summary>
    internal void CompleteWrites(Http2Stream stream)
    {
        lock (_sync)
        {
            // A peer that ended its side and then reset with NO_ERROR (nghttp2 does, when it is done with a stream) or
            // CANCEL wants nothing more: our FIN has nowhere to go and is not an error.
            if (stream.ResetByPeer && stream.ResetCode is Http2ErrorCode.NoError or Http2ErrorCode.Cancel)
            {
                return;
            }

            ThrowIfCannotWriteLocked(stream);
            _output.Advance(Http2FrameWriter.WriteData(_output.GetSpan(Http2FrameHeader.Size), stream.Id, [], endStream: true));
            _writerSignal.Set();
            stream.LocalEnded = true;
            if (stream.RemoteEnded)
            {
                RemoveStreamLocked(stream);
            }
        }
    }

    /// <summary>Resets the stream from our side (RST_STREAM), unless it is already closed.</summary>
    internal void Abort(Http2Stream stream, Http2ErrorCode code)
    {
        lock (_sync)
        {
            if (stream.InTable)
            {
                ResetStreamLocked(stream, code);
            }
            else if (stream.ResetCode is null)
            {
                // Already closed both ways (or the connection failed it): there is nothing to reset on the wire.
                stream.ResetCode = code;
            }
        }
    }

    private void ThrowIfCannotWriteLocked(Http2Stream stream)
    {
        if (stream.ResetCode is { } code)
        {
            throw stream.ResetByPeer
                ? new Http2StreamResetException(code, $"the peer reset stream {stream.Id} ({code})")
                : new ObjectDisposedException(nameof(Http2Stream), $"stream {stream.Id} was aborted ({code})");
        }

        if (stream.Failure is { } failure)
        {
            throw new IOException(failure.Message, failure);
        }

        if (stream.LocalEnded)
        {
            throw new InvalidOperationException($"stream {stream.Id}: writes were already completed");
        }
    }

    private void ResetStreamLocked(Http2Stream stream, Http2ErrorCode code)
    {
        if (_closeReason is null)
        {
            _output.Advance(Http2FrameWriter.WriteRstStream(_output.GetSpan(Http2FrameWriter.RstStreamSize), stream.Id, code));
            _writerSignal.Set();
        }

        stream.ResetCode ??= code;
        stream.Response.TrySetException(new Http2StreamResetException(code, $"stream {stream.Id} reset by us ({code})"));
        RemoveStreamLocked(stream);
        stream.ReadSignal.Set();
        stream.WriteSignal.Set();
    }

    private void RemoveStreamLocked(Http2Stream stream)
    {
        if (!stream.InTable)
        {
            return;
        }

        stream.InTable = false;
        _streams.Remove(stream.Id);
        if (_streams.Count == 0)
        {
            _idleSinceTimestamp = _time.GetTimestamp();
            if (_goAwayReceived && _closeReason is null)
            {
                // Close takes locks and cancels the read; do it outside whatever holds _sync now.
                ThreadPool.UnsafeQueueUserWorkItem(
                    static connection => connection.Close(new Http2CloseReason(Http2CloseKind.GoAway, Http2ErrorCode.NoError, "the peer sent GOAWAY and the last stream finished"), null),
                    this,
                    preferLocal: false);
            }
        }

        WakeSlotWaitersLocked();
    }

    /// <summary>
    /// Returns receive credit for <paramref name="count"/> bytes the consumer took (or that nobody will read): the
    /// connection's, and the stream's while the peer may still send on it. WINDOW_UPDATE goes out once a quarter of
    /// the window is owed, so a slow reader holds the peer to at most its window of unread bytes.
    /// </summary>
    private void ReturnCreditLocked(Http2Stream? stream, int count)
    {
        if (count <= 0 || _closeReason is not null)
        {
            return;
        }

        _connectionUnacknowledged += count;
        if (_connectionUnacknowledged >= _settings.ConnectionWindowSize / 4)
        {
            _output.Advance(Http2FrameWriter.WriteWindowUpdate(_output.GetSpan(Http2FrameWriter.WindowUpdateSize), 0, _connectionUnacknowledged));
            _connectionReceiveWindow += _connectionUnacknowledged;
            _connectionUnacknowledged = 0;
            _writerSignal.Set();
        }

        if (stream is null || stream.RemoteEnded || !stream.InTable)
        {
            return;
        }

        stream.Unacknowledged += count;
        if (stream.Unacknowledged >= _settings.InitialStreamWindowSize / 4)
        {
            _output.Advance(Http2FrameWriter.WriteWindowUpdate(_output.GetSpan(Http2FrameWriter.WindowUpdateSize), stream.Id, stream.Unacknowledged));
            stream.ReceiveWindow += stream.Unacknowledged;
            stream.Unacknowledged = 0;
            _writerSignal.Set();
        }
    }
}
