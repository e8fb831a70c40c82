using System.Buffers;

namespace Capture.Proxy.Relaying;

/// <summary>
/// Copy-path bytes the sink would not take yet: held in an array rented from <see cref="ArrayPool{T}.Shared"/> only
/// while there are any, and returned exactly once (when the last byte leaves, or on <see cref="Release"/>).
/// </summary>
internal sealed class CopyBacklog
{
    private byte[]? _buffer;
    private int _offset;

    public int Count { get; private set; }

    /// <summary>What is held, oldest first.</summary>
    public ReadOnlySpan<byte> Pending => _buffer.AsSpan(_offset, Count);

    /// <summary>Keeps <paramref name="bytes"/> (only when nothing is held: bytes leave in the order they came).</summary>
    public void Hold(ReadOnlySpan<byte> bytes)
    {
        System.Diagnostics.Debug.Assert(Count == 0, "a backlog is delivered before the source is read again");
        _buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(_buffer);
        _offset = 0;
        Count = bytes.Length;
    }

    /// <summary><paramref name="bytes"/> of <see cref="Pending"/> went out; the buffer goes back once all did.</summary>
    public void Sent(int bytes)
    {
        _offset += bytes;
        Count -= bytes;
        if (Count == 0)
        {
            Release();
        }
    }

    /// <summary>Returns the buffer (the connection closes with bytes held, or they all left).</summary>
    public void Release()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _offset = 0;
        Count = 0;
    }
}
