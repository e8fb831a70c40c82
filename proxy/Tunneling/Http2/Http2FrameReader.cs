using System.Buffers.Binary;

namespace Capture.Proxy.Tunneling.Http2;

/// <summary>
/// Parses frame payloads (the header already read with <see cref="Http2FrameHeader.Read"/>) and checks the size and
/// stream-id rules of RFC 9113 §6; a violation is a connection error, thrown as <see cref="Http2ConnectionException"/>.
/// </summary>
internal static class Http2FrameReader
{
    /// <summary>Checks the header against our SETTINGS_MAX_FRAME_SIZE and each type's fixed size and stream-id rules.</summary>
    public static void Validate(in Http2FrameHeader header, int maxFrameSize)
    {
        if (header.Length > maxFrameSize)
        {
            throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, $"{header.Type} frame of {header.Length} bytes exceeds our maximum frame size {maxFrameSize}");
        }

        switch (header.Type)
        {
            case Http2FrameType.Data or Http2FrameType.Headers or Http2FrameType.Continuation or Http2FrameType.Priority
                or Http2FrameType.RstStream when header.StreamId == 0:
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"{header.Type} frame on stream 0");
            case Http2FrameType.Settings or Http2FrameType.Ping or Http2FrameType.GoAway when header.StreamId != 0:
                throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"{header.Type} frame on stream {header.StreamId}");
            case Http2FrameType.Settings when header.HasFlag(Http2FrameFlags.Ack) ? header.Length != 0 : header.Length % 6 != 0:
            case Http2FrameType.Ping when header.Length != 8:
            case Http2FrameType.GoAway when header.Length < 8:
            case Http2FrameType.WindowUpdate or Http2FrameType.RstStream when header.Length != 4:
            case Http2FrameType.Priority when header.Length != 5:
                throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, $"{header.Type} frame with a payload of {header.Length} bytes");
        }
    }

    /// <summary>
    /// Strips the padding of a DATA or HEADERS payload and, for HEADERS with the PRIORITY flag, the 5 priority bytes
    /// (RFC 9113 §6.1, §6.2); returns the data or header block fragment.
    /// </summary>
    public static ReadOnlySpan<byte> GetContent(in Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        int padLength = 0;
        if (header.HasFlag(Http2FrameFlags.Padded))
        {
            if (payload.IsEmpty)
            {
                throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, $"padded {header.Type} frame without a pad length");
            }

            padLength = payload[0];
            payload = payload[1..];
        }

        if (header.Type == Http2FrameType.Headers && header.HasFlag(Http2FrameFlags.Priority))
        {
            if (payload.Length < 5)
            {
                throw new Http2ConnectionException(Http2ErrorCode.FrameSizeError, "HEADERS frame too short for its priority fields");
            }

            payload = payload[5..];
        }

        if (padLength > payload.Length)
        {
            throw new Http2ConnectionException(Http2ErrorCode.ProtocolError, $"{header.Type} padding of {padLength} bytes is longer than the frame");
        }

        return payload[..^padLength];
    }

    /// <summary>Number of parameters in a SETTINGS payload (its length was checked to be a multiple of 6).</summary>
    public static int SettingsCount(ReadOnlySpan<byte> payload) => payload.Length / 6;

    public static (Http2SettingId Id, uint Value) ReadSetting(ReadOnlySpan<byte> payload, int index) =>
        ((Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(payload[(index * 6)..]), BinaryPrimitives.ReadUInt32BigEndian(payload[((index * 6) + 2)..]));

    /// <summary>The window size increment (31 bits; the reserved bit ignored).</summary>
    public static int ReadWindowUpdate(ReadOnlySpan<byte> payload) => (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFF_FFFF);

    public static Http2ErrorCode ReadRstStream(ReadOnlySpan<byte> payload) => (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload);

    public static ulong ReadPing(ReadOnlySpan<byte> payload) => BinaryPrimitives.ReadUInt64BigEndian(payload);

    public static (int LastStreamId, Http2ErrorCode ErrorCode) ReadGoAway(ReadOnlySpan<byte> payload) =>
        ((int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFF_FFFF), (Http2ErrorCode)BinaryPrimitives.ReadUInt32BigEndian(payload[4..]));
}
