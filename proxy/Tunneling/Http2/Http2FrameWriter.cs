using System.Buffers.Binary;

namespace Capture.Proxy.Tunneling.Http2;

/// <summary>Writes frames into a caller's span; each method returns the number of bytes written (header included).</summary>
internal static class Http2FrameWriter
{
    /// <summary>Size of a WINDOW_UPDATE or RST_STREAM frame on the wire.</summary>
    public const int WindowUpdateSize = Http2FrameHeader.Size + 4;

    public const int RstStreamSize = Http2FrameHeader.Size + 4;

    public const int PingSize = Http2FrameHeader.Size + 8;

    public const int GoAwaySize = Http2FrameHeader.Size + 8;

    /// <summary>The client connection preface (RFC 9113 §3.4), sent before our first SETTINGS.</summary>
    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    public static int WriteSettings(Span<byte> destination, ReadOnlySpan<(Http2SettingId Id, uint Value)> settings)
    {
        int length = settings.Length * 6;
        new Http2FrameHeader(length, Http2FrameType.Settings, Http2FrameFlags.None, 0).Write(destination);
        Span<byte> payload = destination.Slice(Http2FrameHeader.Size, length);
        for (int i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload[(i * 6)..], (ushort)settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload[((i * 6) + 2)..], settings[i].Value);
        }

        return Http2FrameHeader.Size + length;
    }

    public static int WriteSettingsAck(Span<byte> destination)
    {
        new Http2FrameHeader(0, Http2FrameType.Settings, Http2FrameFlags.Ack, 0).Write(destination);
        return Http2FrameHeader.Size;
    }

    public static int WriteWindowUpdate(Span<byte> destination, int streamId, int increment)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(increment);
        new Http2FrameHeader(4, Http2FrameType.WindowUpdate, Http2FrameFlags.None, streamId).Write(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[Http2FrameHeader.Size..], (uint)increment);
        return WindowUpdateSize;
    }

    public static int WritePing(Span<byte> destination, ulong opaqueData, bool ack)
    {
        new Http2FrameHeader(8, Http2FrameType.Ping, ack ? Http2FrameFlags.Ack : Http2FrameFlags.None, 0).Write(destination);
        BinaryPrimitives.WriteUInt64BigEndian(destination[Http2FrameHeader.Size..], opaqueData);
        return PingSize;
    }

    public static int WriteRstStream(Span<byte> destination, int streamId, Http2ErrorCode errorCode)
    {
        new Http2FrameHeader(4, Http2FrameType.RstStream, Http2FrameFlags.None, streamId).Write(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[Http2FrameHeader.Size..], (uint)errorCode);
        return RstStreamSize;
    }

    public static int WriteGoAway(Span<byte> destination, int lastStreamId, Http2ErrorCode errorCode)
    {
        new Http2FrameHeader(8, Http2FrameType.GoAway, Http2FrameFlags.None, 0).Write(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[Http2FrameHeader.Size..], (uint)lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[(Http2FrameHeader.Size + 4)..], (uint)errorCode);
        return GoAwaySize;
    }

    /// <summary>Writes a DATA frame carrying <paramref name="payload"/> (possibly empty, e.g. a bare END_STREAM).</summary>
    public static int WriteData(Span<byte> destination, int streamId, ReadOnlySpan<byte> payload, bool endStream)
    {
        new Http2FrameHeader(payload.Length, Http2FrameType.Data, endStream ? Http2FrameFlags.EndStream : Http2FrameFlags.None, streamId)
            .Write(destination);
        payload.CopyTo(destination[Http2FrameHeader.Size..]);
        return Http2FrameHeader.Size + payload.Length;
    }

    /// <summary>
    /// Writes a header block as HEADERS followed by as many CONTINUATION frames as <paramref name="maxFrameSize"/>
    /// requires (RFC 9113 §6.10); the frames must go out back to back, which the caller guarantees by writing them at once.
    /// </summary>
    public static int WriteHeaders(Span<byte> destination, int streamId, ReadOnlySpan<byte> headerBlock, bool endStream, int maxFrameSize)
    {
        int written = 0;
        Http2FrameType type = Http2FrameType.Headers;
        do
        {
            int chunk = Math.Min(headerBlock.Length, maxFrameSize);
            bool last = chunk == headerBlock.Length;
            Http2FrameFlags flags = last ? Http2FrameFlags.EndHeaders : Http2FrameFlags.None;
            if (type == Http2FrameType.Headers && endStream)
            {
                flags |= Http2FrameFlags.EndStream;
            }

            new Http2FrameHeader(chunk, type, flags, streamId).Write(destination[written..]);
            headerBlock[..chunk].CopyTo(destination[(written + Http2FrameHeader.Size)..]);
            written += Http2FrameHeader.Size + chunk;
            headerBlock = headerBlock[chunk..];
            type = Http2FrameType.Continuation;
        }
        while (!headerBlock.IsEmpty);

        return written;
    }

    /// <summary>Bytes <see cref="WriteHeaders"/> needs for a block of <paramref name="blockLength"/> bytes.</summary>
    public static int HeadersSize(int blockLength, int maxFrameSize)
    {
        int frames = Math.Max(1, (blockLength + maxFrameSize - 1) / maxFrameSize);
        return (frames * Http2FrameHeader.Size) + blockLength;
    }
}
