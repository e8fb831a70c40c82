namespace Capture.Proxy.Tunneling.Http2;

/// <summary>
/// The Huffman code of RFC 7541 Appendix B. The code is canonical (codes of one length are consecutive in symbol
/// order, and each length starts where the shorter ones ended), so the 257 code lengths determine every code; the
/// tests check codes against the appendix and the Appendix C examples byte for byte.
/// </summary>
internal static class HpackHuffman
{
    private const int EndOfString = 256;
    private const int MaxCodeLength = 30;

    // Code lengths in bits of symbols 0..255 and EOS (256), RFC 7541 Appendix B.
    private static ReadOnlySpan<byte> CodeLengths =>
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
        30,
    ];

    private static readonly uint[] s_codes = new uint[EndOfString + 1];

    // Canonical decoding: for each length, the first code of that length, how many codes have it, and where its
    // symbols start in s_symbols (symbols sorted by length, then value).
    private static readonly uint[] s_firstCode = new uint[MaxCodeLength + 1];
    private static readonly int[] s_countByLength = new int[MaxCodeLength + 1];
    private static readonly int[] s_firstSymbolIndex = new int[MaxCodeLength + 1];
    private static readonly short[] s_symbols = new short[EndOfString + 1];

#pragma warning disable CA1810 // The tables are derived from each other in one pass; a static constructor says so plainly.
    static HpackHuffman()
#pragma warning restore CA1810
    {
        ReadOnlySpan<byte> lengths = CodeLengths;
        int next = 0;
        for (int length = 1; length <= MaxCodeLength; length++)
        {
            s_firstSymbolIndex[length] = next;
            for (int symbol = 0; symbol <= EndOfString; symbol++)
            {
                if (lengths[symbol] == length)
                {
                    s_symbols[next++] = (short)symbol;
                    s_countByLength[length]++;
                }
            }
        }

        uint code = 0;
        for (int length = 1; length <= MaxCodeLength; length++)
        {
            s_firstCode[length] = code;
            for (int i = 0; i < s_countByLength[length]; i++)
            {
                s_codes[s_symbols[s_firstSymbolIndex[length] + i]] = code++;
            }

            code <<= 1;
        }
    }

    /// <summary>The code of <paramref name="symbol"/> (0..256), right-aligned, and its length in bits.</summary>
    public static (uint Code, int Length) GetCode(int symbol) => (s_codes[symbol], CodeLengths[symbol]);

    /// <summary>Bytes the Huffman encoding of <paramref name="source"/> takes.</summary>
    public static int GetEncodedLength(ReadOnlySpan<byte> source)
    {
        ReadOnlySpan<byte> lengths = CodeLengths;
        long bits = 0;
        foreach (byte b in source)
        {
            bits += lengths[b];
        }

        return (int)((bits + 7) / 8);
    }

    /// <summary>Encodes <paramref name="source"/>, padding the last byte with the most significant bits of EOS (all ones).</summary>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        ReadOnlySpan<byte> lengths = CodeLengths;
        ulong accumulator = 0;
        int bitCount = 0;
        int written = 0;
        foreach (byte b in source)
        {
            accumulator = (accumulator << lengths[b]) | s_codes[b];
            bitCount += lengths[b];
            while (bitCount >= 8)
            {
                bitCount -= 8;
                destination[written++] = (byte)(accumulator >> bitCount);
            }
        }

        if (bitCount > 0)
        {
            destination[written++] = (byte)((accumulator << (8 - bitCount)) | (0xFFu >> bitCount));
        }

        return written;
    }

    /// <summary>
    /// Decodes <paramref name="source"/> into <paramref name="destination"/> (at most 8/5 of the source length is
    /// needed, 5 bits being the shortest code). Returns false on an encoding RFC 7541 §5.2 forbids: EOS inside the
    /// string, padding longer than 7 bits, or padding that is not the EOS prefix.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        uint code = 0;
        int length = 0;
        bool allOnes = true;
        foreach (byte b in source)
        {
            for (int bit = 7; bit >= 0; bit--)
            {
                uint value = (uint)(b >> bit) & 1;
                code = (code << 1) | value;
                length++;
                allOnes &= value == 1;
                if (length > MaxCodeLength)
                {
                    return false;
                }

                uint offset = code - s_firstCode[length];
                if (code >= s_firstCode[length] && offset < (uint)s_countByLength[length])
                {
                    int symbol = s_symbols[s_firstSymbolIndex[length] + (int)offset];
                    if (symbol == EndOfString)
                    {
                        return false;
                    }

                    destination[written++] = (byte)symbol;
                    code = 0;
                    length = 0;
                    allOnes = true;
                }
            }
        }

        return length <= 7 && allOnes;
    }
}
