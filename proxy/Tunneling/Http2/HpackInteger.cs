namespace Capture.Proxy.Tunneling.Http2;

/// <summary>HPACK's prefixed integers (RFC 7541 §5.1).</summary>
internal static class HpackInteger
{
    /// <summary>
    /// Writes <paramref name="value"/> with an N-bit prefix; <paramref name="firstByte"/> carries the bits above the
    /// prefix (the representation's pattern). Returns the bytes written (at most 6 for an int).
    /// </summary>
    public static int Encode(int value, int prefixBits, byte firstByte, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            destination[0] = (byte)(firstByte | value);
            return 1;
        }

        destination[0] = (byte)(firstByte | max);
        value -= max;
        int written = 1;
        while (value >= 128)
        {
            destination[written++] = (byte)((value & 0x7F) | 0x80);
            value >>= 7;
        }

        destination[written++] = (byte)value;
        return written;
    }

    /// <summary>
    /// Reads an integer with an N-bit prefix starting at <paramref name="position"/>, advancing it. Returns false if
    /// the input ends inside the integer or the value does not fit in an int.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, ref int position, int prefixBits, out int value)
    {
        value = 0;
        if (position >= source.Length)
        {
            return false;
        }

        int max = (1 << prefixBits) - 1;
        int prefix = source[position++] & max;
        if (prefix < max)
        {
            value = prefix;
            return true;
        }

        long result = prefix;
        int shift = 0;
        while (position < source.Length)
        {
            byte b = source[position++];
            result += (long)(b & 0x7F) << shift;
            if (result > int.MaxValue)
            {
                return false;
            }

            if ((b & 0x80) == 0)
            {
                value = (int)result;
                return true;
            }

            shift += 7;
            if (shift > 28)
            {
                return false;
            }
        }

        return false;
    }
}
