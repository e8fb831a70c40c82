using System.Buffers.Binary;

namespace Capture.Proxy.Tunneling.Http2;

/// <summary>The 9-byte frame header (RFC 9113 §4.1): 24-bit length, type, flags, reserved bit and 31-bit stream id.</summary>
internal readonly record struct Http2FrameHeader(int Length, Http2FrameType Type, Http2FrameFlags Flags, int StreamId)
{
    /// <summary>Size of the frame header on the wire.</summary>
    public const int Size = 9;

    /// <summary>The smallest SETTINGS_MAX_FRAME_SIZE a peer may announce, and the default (RFC 9113 §6.5.2).</summary>
    public const int MinMaxFrameSize = 16_384;

    /// <summary>The largest frame payload the 24-bit length field can carry.</summary>
    public const int MaxMaxFrameSize = 16_777_215;

    public bool HasFlag(Http2FrameFlags flag) => (Flags & flag) != 0;

    /// <summary>Reads a header from the first 9 bytes of <paramref name="source"/>; the reserved bit is ignored as §4.1 requires.</summary>
    public static Http2FrameHeader Read(ReadOnlySpan<byte> source)
    {
        int length = (source[0] << 16) | (source[1] << 8) | source[2];
        int streamId = (int)(BinaryPrimitives.ReadUInt32BigEndian(source[5..]) & 0x7FFF_FFFF);
        return new Http2FrameHeader(length, (Http2FrameType)source[3], (Http2FrameFlags)source[4], streamId);
    }

    /// <summary>Writes the header into the first 9 bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Length, MaxMaxFrameSize);
        ArgumentOutOfRangeException.ThrowIfNegative(StreamId);
        destination[0] = (byte)(Length >> 16);
        destination[1] = (byte)(Length >> 8);
        destination[2] = (byte)Length;
        destination[3] = (byte)Type;
        destination[4] = (byte)Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)StreamId);
    }
}
