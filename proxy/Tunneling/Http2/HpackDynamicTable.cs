namespace Capture.Proxy.Tunneling.Http2;

/// <summary>
/// The dynamic table of RFC 7541 §2.3.2 and §4: newest entry first, an entry's size is its name and value length
/// plus 32, and adding past the maximum size evicts from the oldest end (an entry larger than the table empties it).
/// </summary>
internal sealed class HpackDynamicTable
{
    /// <summary>The per-entry overhead of RFC 7541 §4.1.</summary>
    public const int EntryOverhead = 32;

    private (string Name, string Value)[] _entries = new (string, string)[16];
    private int _oldest;   // ring index of the oldest entry
    private int _count;

    public HpackDynamicTable(int maxSize) => MaxSize = maxSize;

    public int Count => _count;

    /// <summary>Sum of the entries' sizes.</summary>
    public int Size { get; private set; }

    public int MaxSize { get; private set; }

    public static int EntrySize(string name, string value) => name.Length + value.Length + EntryOverhead;

    /// <summary>The entry at 1-based dynamic <paramref name="index"/> (1 = newest).</summary>
    public (string Name, string Value) Get(int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, _count);
        return _entries[(_oldest + _count - index) % _entries.Length];
    }

    public void Add(string name, string value)
    {
        int size = EntrySize(name, value);
        if (size > MaxSize)
        {
            Clear();
            return;
        }

        Evict(MaxSize - size);
        if (_count == _entries.Length)
        {
            var larger = new (string, string)[_entries.Length * 2];
            for (int i = 0; i < _count; i++)
            {
                larger[i] = _entries[(_oldest + i) % _entries.Length];
            }

            _entries = larger;
            _oldest = 0;
        }

        _entries[(_oldest + _count) % _entries.Length] = (name, value);
        _count++;
        Size += size;
    }

    /// <summary>Applies a dynamic table size update (RFC 7541 §4.3), evicting as needed.</summary>
    public void SetMaxSize(int maxSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        MaxSize = maxSize;
        Evict(maxSize);
    }

    /// <summary>The 1-based dynamic index of an entry with name and value, or 0; <paramref name="nameIndex"/> gets the newest entry with the name, or 0.</summary>
    public int Find(string name, string value, out int nameIndex)
    {
        nameIndex = 0;
        for (int index = 1; index <= _count; index++)
        {
            (string entryName, string entryValue) = Get(index);
            if (string.Equals(entryName, name, StringComparison.Ordinal))
            {
                if (nameIndex == 0)
                {
                    nameIndex = index;
                }

                if (string.Equals(entryValue, value, StringComparison.Ordinal))
                {
                    return index;
                }
            }
        }

        return 0;
    }

    private void Evict(int targetSize)
    {
        while (Size > targetSize && _count > 0)
        {
            (string name, string value) = _entries[_oldest];
            _entries[_oldest] = default;
            _oldest = (_oldest + 1) % _entries.Length;
            _count--;
            Size -= EntrySize(name, value);
        }
    }

    private void Clear()
    {
        Array.Clear(_entries);
        _oldest = 0;
        _count = 0;
        Size = 0;
    }
}
