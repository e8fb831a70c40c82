using System.Text;

namespace Capture.Proxy.Tunneling.Http2;

/// <summary>
/// HPACK decoder (RFC 7541 §6): indexed fields, the three literal forms, Huffman strings and dynamic table size
/// updates (only at the start of a block, never above the SETTINGS_HEADER_TABLE_SIZE we announced). Every block must
/// be decoded, in wire order, to keep the dynamic table in step with the peer's encoder.
/// </summary>
internal sealed class HpackDecoder
{
    private readonly HpackDynamicTable _table;
    private readonly int _maxTableSize;
    private readonly int _maxHeaderListSize;
    private byte[] _huffmanScratch = new byte[256];

    public HpackDecoder(int maxTableSize = 4096, int maxHeaderListSize = int.MaxValue)
    {
        _maxTableSize = maxTableSize;
        _maxHeaderListSize = maxHeaderListSize;
        _table = new HpackDynamicTable(maxTableSize);
    }

    public HpackDynamicTable Table => _table;

    /// <summary>
    /// Decodes a complete header block into <paramref name="headers"/>. Returns false when the fields exceed the
    /// header list size we announced (the table is still updated; the fields past the limit are dropped); throws
    /// <see cref="HpackDecodingException"/> on an invalid block.
    /// </summary>
    public bool Decode(ReadOnlySpan<byte> block, List<KeyValuePair<string, string>> headers)
    {
        int position = 0;
        int listSize = 0;
        bool fieldSeen = false;
        while (position < block.Length)
        {
            byte first = block[position];
            string name;
            string value;
            if ((first & 0x80) != 0)
            {
                (name, value) = GetIndexed(ReadInteger(block, ref position, 7));
            }
            else if ((first & 0xE0) == 0x20)
            {
                if (fieldSeen)
                {
                    throw new HpackDecodingException("dynamic table size update after a header field");
                }

                int size = ReadInteger(block, ref position, 5);
                if (size > _maxTableSize)
                {
                    throw new HpackDecodingException($"dynamic table size update to {size} exceeds our limit {_maxTableSize}");
                }

                _table.SetMaxSize(size);
                continue;
            }
            else
            {
                bool incremental = (first & 0xC0) == 0x40;
                int nameIndex = ReadInteger(block, ref position, incremental ? 6 : 4);
                name = nameIndex == 0 ? ReadString(block, ref position) : GetIndexed(nameIndex).Name;
                value = ReadString(block, ref position);
                if (incremental)
                {
                    _table.Add(name, value);
                }
            }

            fieldSeen = true;
            listSize += HpackDynamicTable.EntrySize(name, value);
            if (listSize <= _maxHeaderListSize)
            {
                headers.Add(new KeyValuePair<string, string>(name, value));
            }
        }

        return listSize <= _maxHeaderListSize;
    }

    private (string Name, string Value) GetIndexed(int index)
    {
        if (index == 0 || index > HpackStaticTable.Count + _table.Count)
        {
            throw new HpackDecodingException($"index {index} is outside the tables");
        }

        return index <= HpackStaticTable.Count ? HpackStaticTable.Get(index) : _table.Get(index - HpackStaticTable.Count);
    }

    private static int ReadInteger(ReadOnlySpan<byte> block, ref int position, int prefixBits) =>
        HpackInteger.TryDecode(block, ref position, prefixBits, out int value)
            ? value
            : throw new HpackDecodingException("truncated or oversized integer");

    private string ReadString(ReadOnlySpan<byte> block, ref int position)
    {
        if (position >= block.Length)
        {
            throw new HpackDecodingException("header block ends before a string literal");
        }

        bool huffman = (block[position] & 0x80) != 0;
        int length = ReadInteger(block, ref position, 7);
        if (length > block.Length - position)
        {
            throw new HpackDecodingException($"string literal of {length} bytes runs past the block");
        }

        ReadOnlySpan<byte> raw = block.Slice(position, length);
        position += length;
        if (!huffman)
        {
            return Encoding.Latin1.GetString(raw);
        }

        int maxDecoded = ((length * 8) / 5) + 1;
        if (_huffmanScratch.Length < maxDecoded)
        {
            _huffmanScratch = new byte[Math.Max(maxDecoded, _huffmanScratch.Length * 2)];
        }

        return HpackHuffman.TryDecode(raw, _huffmanScratch, out int written)
            ? Encoding.Latin1.GetString(_huffmanScratch, 0, written)
            : throw new HpackDecodingException("invalid Huffman-coded string");
    }
}
