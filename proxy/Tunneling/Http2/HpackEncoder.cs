using System.Buffers;
using System.Text;

namespace Capture.Proxy.Tunneling.Http2;

/// <summary>
/// HPACK encoder (RFC 7541): indexed fields for exact table matches, otherwise literals with a name index where one
/// exists, static table first. Not thread-safe: header blocks must be encoded in the order they go on the wire.
/// </summary>
internal sealed class HpackEncoder
{
    // The largest table this encoder uses, whatever the peer allows: RFC 7541's default.
    private readonly int _maxTableSizeLimit;
    private readonly HpackDynamicTable _table;
    private readonly HpackHuffmanMode _huffman;

    // A size update to send at the start of the next block (RFC 7541 §4.2): the smallest size since the last block, then the final one.
    private int _pendingMinimumSize = -1;
    private int _pendingFinalSize = -1;

    public HpackEncoder(int maxTableSize = 4096, HpackHuffmanMode huffman = HpackHuffmanMode.WhenShorter)
    {
        _maxTableSizeLimit = maxTableSize;
        _table = new HpackDynamicTable(maxTableSize);
        _huffman = huffman;
    }

    public HpackDynamicTable Table => _table;

    /// <summary>Applies the peer's SETTINGS_HEADER_TABLE_SIZE: the table shrinks (or grows back up to our limit) with the next block.</summary>
    public void SetPeerMaxTableSize(int peerMaxSize)
    {
        int size = Math.Min(peerMaxSize, _maxTableSizeLimit);
        if (size == _table.MaxSize && _pendingFinalSize < 0)
        {
            return;
        }

        _pendingMinimumSize = _pendingMinimumSize < 0 ? size : Math.Min(_pendingMinimumSize, size);
        _pendingFinalSize = size;
    }

    /// <summary>Starts a header block: writes any pending dynamic table size update.</summary>
    public void BeginBlock(IBufferWriter<byte> output)
    {
        if (_pendingFinalSize < 0)
        {
            return;
        }

        if (_pendingMinimumSize < _pendingFinalSize)
        {
            WriteSizeUpdate(output, _pendingMinimumSize);
        }

        WriteSizeUpdate(output, _pendingFinalSize);
        _pendingMinimumSize = -1;
        _pendingFinalSize = -1;
    }

    /// <summary>Encodes one field; names must be lower case (RFC 9113 §8.2.1).</summary>
    public void Encode(IBufferWriter<byte> output, string name, string value, HpackIndexing indexing = HpackIndexing.Incremental)
    {
        int staticIndex = HpackStaticTable.Find(name, value, out int staticNameIndex);
        if (staticIndex > 0 && indexing == HpackIndexing.Incremental)
        {
            WriteInteger(output, staticIndex, 7, 0x80);
            return;
        }

        int dynamicIndex = _table.Find(name, value, out int dynamicNameIndex);
        if (dynamicIndex > 0 && indexing == HpackIndexing.Incremental)
        {
            WriteInteger(output, HpackStaticTable.Count + dynamicIndex, 7, 0x80);
            return;
        }

        int nameIndex = staticNameIndex > 0 ? staticNameIndex : dynamicNameIndex > 0 ? HpackStaticTable.Count + dynamicNameIndex : 0;
        (int prefixBits, byte pattern) = indexing switch
        {
            HpackIndexing.Incremental => (6, (byte)0x40),
            HpackIndexing.WithoutIndexing => (4, (byte)0x00),
            _ => (4, (byte)0x10),
        };
        WriteInteger(output, nameIndex, prefixBits, pattern);
        if (nameIndex == 0)
        {
            WriteString(output, name);
        }

        WriteString(output, value);
        if (indexing == HpackIndexing.Incremental)
        {
            _table.Add(name, value);
        }
    }

    private void WriteSizeUpdate(IBufferWriter<byte> output, int size)
    {
        WriteInteger(output, size, 5, 0x20);
        _table.SetMaxSize(size);
    }

    private static void WriteInteger(IBufferWriter<byte> output, int value, int prefixBits, byte pattern)
    {
        Span<byte> span = output.GetSpan(6);
        output.Advance(HpackInteger.Encode(value, prefixBits, pattern, span));
    }

    private void WriteString(IBufferWriter<byte> output, string text)
    {
        // One span holds the result and, past its end, the raw octets: a Huffman code is at most 30 bits per octet,
        // so the encoded form (from offset <= 6) never reaches the raw copy at 6 + 4 * length.
        int rawLength = Encoding.Latin1.GetByteCount(text);
        int rawOffset = 6 + (4 * rawLength);
        Span<byte> span = output.GetSpan(rawOffset + rawLength);
        Span<byte> raw = span.Slice(rawOffset, rawLength);
        Encoding.Latin1.GetBytes(text, raw);
        int huffmanLength = _huffman == HpackHuffmanMode.Never ? int.MaxValue : HpackHuffman.GetEncodedLength(raw);
        bool useHuffman = _huffman == HpackHuffmanMode.Always || (_huffman == HpackHuffmanMode.WhenShorter && huffmanLength < rawLength);
        if (useHuffman)
        {
            int prefix = HpackInteger.Encode(huffmanLength, 7, 0x80, span);
            output.Advance(prefix + HpackHuffman.Encode(raw, span[prefix..]));
        }
        else
        {
            int prefix = HpackInteger.Encode(rawLength, 7, 0x00, span);
            raw.CopyTo(span[prefix..]);
            output.Advance(prefix + rawLength);
        }
    }
}
