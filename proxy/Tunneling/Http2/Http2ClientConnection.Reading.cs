using System.Buffers;
using System.Globalization;

namespace Capture.Proxy.Tunneling.Http2;

internal sealed partial class Http2ClientConnection
{
    // Reads ask for this much at least; the buffer grows to hold the largest frame we allow (SETTINGS_MAX_FRAME_SIZE).
    private const int ReadBufferSize = 256 * 1024;

    // A header block split over CONTINUATION frames may grow to this before the peer is cut off (ours is 16 KiB unpacked).
    private const int MaxHeaderBlockSize = 256 * 1024;

    private readonly List<KeyValuePair<string, string>> _decodedHeaders = [];
    private readonly ArrayBufferWriter<byte> _continuedBlock = new();
    private int _continuedStreamId;
    private bool _continuedEndStream;
    private bool _settingsReceived;

    private async Task ReadLoopAsync()
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        int start = 0;
        int end = 0;
        Http2CloseReason reason;
        Http2ErrorCode? goAway = null;
        try
        {
            while (true)
            {
                int needed = Http2FrameHeader.Size;
                while (end - start >= Http2FrameHeader.Size)
                {
                    Http2FrameHeader header = Http2FrameHeader.Read(buffer.AsSpan(start));
                    Http2FrameReader.Validate(header, _settings.MaxFrameSize);
                    needed = Http2FrameHeader.Size + header.Length;
                    if (end - start < needed)
                    {
                        break;
                    }

                    ProcessFrame(header, buffer.AsSpan(start + Http2FrameHeader.Size, header.Length));
                    start += needed;
                    needed = Http2FrameHeader.Size;
                }

                // Keep the partial frame at the front; grow only for a frame larger than the buffer.
                int remaining = end - start;
                if (needed > buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent(needed);
                    buffer.AsSpan(start, remaining).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                else if (start > 0)
                {
                    buffer.AsSpan(start, remaining).CopyTo(buffer);
                }

                start = 0;
                end = remaining;
                int read = await _transport.ReadAsync(buffer.AsMemory(end), _readAbort.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    reason = new Http2CloseReason(Http2CloseKind.TransportClosed, Http2ErrorCode.NoError, "the peer closed the transport");
                    break;
                }

                end += read;
            }
        }
        catch (Http2ConnectionException e)
        {
            Log.ProtocolError(_logger, e.ErrorCode, e.Message);
            reason = new Http2CloseReason(Http2CloseKind.ProtocolError, e.ErrorCode, $"protocol error {e.ErrorCode}: {e.Message}");
            goAway = e.ErrorCode;
        }
        catch (HpackDecodingException e)
        {
            Log.ProtocolError(_logger, Http2ErrorCode.CompressionError, e.Message);
            reason = new Http2CloseReason(Http2CloseKind.ProtocolError, Http2ErrorCode.CompressionError, $"header compression error: {e.Message}");
            goAway = Http2ErrorCode.CompressionError;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            reason = new Http2CloseReason(Http2CloseKind.TransportFailed, Http2ErrorCode.NoError, $"reading the transport failed: {e.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Close(reason, goAway);
        OnLoopExited();
    }

    private void ProcessFrame(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (!_settingsReceived)
        {
            // RFC 9113 §3.4: the server's preface is a SETTINGS frame.
            if (header.Type != Http2FrameType.Settings || header.HasFlag(Http2FrameFlags.Ack))
            {
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"the server's first frame is {header.Type}, not SETTINGS");
            }

            _settingsReceived = true;
        }

        if (_continuedStreamId != 0 && header.Type != Http2FrameType.Continuation)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"{header.Type} frame inside a header block of stream {_continuedStreamId}");
        }

        switch (header.Type)
        {
            case Http2FrameType.Data:
                OnData(header, payload);
                break;
            case Http2FrameType.Headers:
                OnHeaders(header, payload);
                break;
            case Http2FrameType.Continuation:
                OnContinuation(header, payload);
                break;
            case Http2FrameType.RstStream:
                OnRstStream(header.StreamId, Http2FrameReader.ReadRstStream(payload));
                break;
            case Http2FrameType.Settings:
                if (!header.HasFlag(Http2FrameFlags.Ack))
                {
                    OnSettings(payload);
                }

                break;
            case Http2FrameType.Ping:
                OnPing(header, payload);
                break;
            case Http2FrameType.GoAway:
                (int lastStreamId, Http2ErrorCode code) = Http2FrameReader.ReadGoAway(payload);
                OnGoAway(lastStreamId, code);
                break;
            case Http2FrameType.WindowUpdate:
                OnWindowUpdate(header.StreamId, Http2FrameReader.ReadWindowUpdate(payload));
                break;
            case Http2FrameType.PushPromise:
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "PUSH_PROMISE although we disabled push");
            default:
                // PRIORITY is deprecated (RFC 9113 §5.3.2) and unknown types must be ignored (§4.1).
                break;
        }
    }

    private void OnData(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        ReadOnlySpan<byte> data = Http2FrameReader.GetContent(header, payload);
        int flowLength = header.Length;
        bool endStream = header.HasFlag(Http2FrameFlags.EndStream);
        lock (_sync)
        {
            // The whole payload, padding included, counts against both windows (RFC 9113 §6.9.1).
            _connectionReceiveWindow -= flowLength;
            if (_connectionReceiveWindow < 0)
            {
                throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "DATA beyond the connection window");
            }

            if (!_streams.TryGetValue(header.StreamId, out Http2Stream? stream))
            {
                ThrowIfNeverOpened(header.StreamId);

                // A stream we reset or finished: nobody reads these bytes, so their credit comes back at once.
                ReturnCreditLocked(null, flowLength);
                return;
            }

            if (!stream.ResponseReceived || stream.RemoteEnded)
            {
                ResetStreamLocked(stream, stream.RemoteEnded ? Http2ErrorCode.StreamClosed : Http2ErrorCode.ProtocolError);
                ReturnCreditLocked(null, flowLength);
                return;
            }

            stream.ReceiveWindow -= flowLength;
            if (stream.ReceiveWindow < 0)
            {
                ResetStreamLocked(stream, Http2ErrorCode.FlowControlError);
                ReturnCreditLocked(null, flowLength);
                return;
            }

            stream.Received.Append(data);
            if (flowLength > data.Length)
            {
                ReturnCreditLocked(stream, flowLength - data.Length);
            }

            if (endStream)
            {
                stream.RemoteEnded = true;
                if (stream.LocalEnded)
                {
                    RemoveStreamLocked(stream);
                }
            }

            stream.ReadSignal.Set();
        }
    }

    private void OnHeaders(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        ReadOnlySpan<byte> fragment = Http2FrameReader.GetContent(header, payload);
        bool endStream = header.HasFlag(Http2FrameFlags.EndStream);
        if (header.HasFlag(Http2FrameFlags.EndHeaders))
        {
            OnHeaderBlock(header.StreamId, fragment, endStream);
            return;
        }

        _continuedStreamId = header.StreamId;
        _continuedEndStream = endStream;
        _continuedBlock.ResetWrittenCount();
        _continuedBlock.Write(fragment);
    }

    private void OnContinuation(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != _continuedStreamId)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"CONTINUATION on stream {header.StreamId} outside a header block");
        }

        if (_continuedBlock.WrittenCount + payload.Length > MaxHeaderBlockSize)
        {
            throw new Http2ConnectionException(Http2ErrorCode.EnhanceYourCalm, $"header block of stream {header.StreamId} is over {MaxHeaderBlockSize} bytes");
        }

        _continuedBlock.Write(payload);
        if (header.HasFlag(Http2FrameFlags.EndHeaders))
        {
            _continuedStreamId = 0;
            OnHeaderBlock(header.StreamId, _continuedBlock.WrittenSpan, _continuedEndStream);
        }
    }

    private void OnHeaderBlock(int streamId, ReadOnlySpan<byte> block, bool endStream)
    {
        // Decoded even for streams we no longer track: the decoder's dynamic table must follow the peer's encoder.
        _decodedHeaders.Clear();
        bool withinLimit = _decoder.Decode(block, _decodedHeaders);
        lock (_sync)
        {
            if (!_streams.TryGetValue(streamId, out Http2Stream? stream))
            {
                ThrowIfNeverOpened(streamId);
                return;
            }

            if (stream.ResponseReceived)
            {
                // Trailers: they must end the stream (RFC 9113 §8.1); their fields mean nothing to a tunnel.
                if (!endStream)
                {
                    ResetStreamLocked(stream, Http2ErrorCode.ProtocolError);
                    return;
                }
            }
            else
            {
                int status = withinLimit ? ReadStatus(_decodedHeaders) : -1;
                if (status < 200)
                {
                    // 1xx is informational and the final response follows; anything unreadable is a malformed response.
                    if (status < 100 || endStream)
                    {
                        ResetStreamLocked(stream, Http2ErrorCode.ProtocolError);
                    }

                    return;
                }

                stream.ResponseReceived = true;
                stream.Response.TrySetResult(status);
            }

            if (endStream)
            {
                stream.RemoteEnded = true;
                if (stream.LocalEnded)
                {
                    RemoveStreamLocked(stream);
                }

                stream.ReadSignal.Set();
            }
        }
    }

    private static int ReadStatus(List<KeyValuePair<string, string>> headers)
    {
        foreach (KeyValuePair<string, string> header in headers)
        {
            if (header.Key == ":status")
            {
                return header.Value.Length == 3 && int.TryParse(header.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int status) ? status : -1;
            }
        }

        return -1;
    }

    private void OnRstStream(int streamId, Http2ErrorCode code)
    {
        lock (_sync)
        {
            if (!_streams.TryGetValue(streamId, out Http2Stream? stream))
            {
                ThrowIfNeverOpened(streamId);
                return;
            }

            stream.ResetCode = code;
            stream.ResetByPeer = true;
            stream.Response.TrySetException(new Http2StreamResetException(code, $"the peer reset stream {streamId} ({code})"));
            RemoveStreamLocked(stream);
            stream.ReadSignal.Set();
            stream.WriteSignal.Set();
        }
    }

    private void OnSettings(ReadOnlySpan<byte> payload)
    {
        lock (_sync)
        {
            for (int i = 0; i < Http2FrameReader.SettingsCount(payload); i++)
            {
                (Http2SettingId id, uint value) = Http2FrameReader.ReadSetting(payload, i);
                switch (id)
                {
                    case Http2SettingId.HeaderTableSize:
                        _encoder.SetPeerMaxTableSize((int)Math.Min(value, int.MaxValue));
                        break;
                    case Http2SettingId.EnablePush when value > 1:
                        throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"SETTINGS_ENABLE_PUSH {value}");
                    case Http2SettingId.MaxConcurrentStreams:
                        _peerMaxConcurrentStreams = (int)Math.Min(value, int.MaxValue);
                        WakeSlotWaitersLocked();
                        break;
                    case Http2SettingId.InitialWindowSize:
                        if (value > int.MaxValue)
                        {
                            throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, $"SETTINGS_INITIAL_WINDOW_SIZE {value}");
                        }

                        // §6.9.2: the change applies to every open stream's send window, which may go negative.
                        int delta = (int)value - _peerInitialWindowSize;
                        _peerInitialWindowSize = (int)value;
                        foreach (Http2Stream stream in _streams.Values)
                        {
                            stream.SendWindow += delta;
                            stream.WriteSignal.Set();
                        }

                        break;
                    case Http2SettingId.MaxFrameSize:
                        if (value is < Http2FrameHeader.MinMaxFrameSize or > Http2FrameHeader.MaxMaxFrameSize)
                        {
                            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"SETTINGS_MAX_FRAME_SIZE {value}");
                        }

                        _peerMaxFrameSize = (int)value;
                        break;
                    default:
                        // SETTINGS_MAX_HEADER_LIST_SIZE is advisory and our CONNECT headers are small; unknown ids are ignored (§6.5.2).
                        break;
                }
            }

            _output.Advance(Http2FrameWriter.WriteSettingsAck(_output.GetSpan(Http2FrameHeader.Size)));
            _writerSignal.Set();
        }

        _peerSettingsReceived.TrySetResult();
    }

    private void OnPing(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        ulong opaque = Http2FrameReader.ReadPing(payload);
        lock (_sync)
        {
            if (header.HasFlag(Http2FrameFlags.Ack))
            {
                if (_pingOutstanding && opaque == _pingPayload)
                {
                    _pingOutstanding = false;
                }

                return;
            }

            if (_closeReason is null)
            {
                _output.Advance(Http2FrameWriter.WritePing(_output.GetSpan(Http2FrameWriter.PingSize), opaque, ack: true));
                _writerSignal.Set();
            }
        }
    }

    private void OnGoAway(int lastStreamId, Http2ErrorCode code)
    {
        Log.GoAwayReceived(_logger, lastStreamId, code);
        bool drained;
        lock (_sync)
        {
            _goAwayReceived = true;

            // Streams above the last id were not processed and may be retried elsewhere (RFC 9113 §6.8).
            List<Http2Stream>? refused = null;
            foreach (Http2Stream stream in _streams.Values)
            {
                if (stream.Id > lastStreamId)
                {
                    (refused ??= []).Add(stream);
                }
            }

            if (refused is not null)
            {
                foreach (Http2Stream stream in refused)
                {
                    stream.ResetCode = Http2ErrorCode.RefusedStream;
                    stream.ResetByPeer = true;
                    stream.Response.TrySetException(new Http2StreamResetException(Http2ErrorCode.RefusedStream, $"stream {stream.Id} refused by the peer's GOAWAY"));
                    RemoveStreamLocked(stream);
                    stream.ReadSignal.Set();
                    stream.WriteSignal.Set();
                }
            }

            WakeSlotWaitersLocked();
            drained = _streams.Count == 0;
        }

        if (drained || code != Http2ErrorCode.NoError)
        {
            Close(new Http2CloseReason(Http2CloseKind.GoAway, code, $"the peer sent GOAWAY ({code})"), null);
        }
    }

    private void OnWindowUpdate(int streamId, int increment)
    {
        lock (_sync)
        {
            if (streamId == 0)
            {
                if (increment == 0)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, "connection WINDOW_UPDATE of 0");
                }

                _connectionSendWindow += increment;
                if (_connectionSendWindow > int.MaxValue)
                {
                    throw new Http2ConnectionException(Http2ErrorCode.FlowControlError, "connection send window above 2^31-1");
                }

                WakeBlockedWritersLocked();
                return;
            }

            if (!_streams.TryGetValue(streamId, out Http2Stream? stream))
            {
                ThrowIfNeverOpened(streamId);
                return;
            }

            stream.SendWindow += increment;
            if (increment == 0 || stream.SendWindow > int.MaxValue)
            {
                ResetStreamLocked(stream, increment == 0 ? Http2ErrorCode.ProtocolError : Http2ErrorCode.FlowControlError);
                return;
            }

            stream.WriteSignal.Set();
        }
    }

    private void ThrowIfNeverOpened(int streamId)
    {
        // Frames on a stream we closed are expected (they crossed our RST_STREAM); on one we never opened, or an even
        // (server-initiated) one while push is off, they are a connection error (RFC 9113 §5.1).
        if (streamId > _lastOpenedStreamId || (streamId & 1) == 0)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"frame on stream {streamId}, which we never opened");
        }
    }
}
