using System.Buffers;

namespace Capture.Proxy.Tunneling.Http2;

/// <summary>
/// Double buffer between the producers (streams, the read loop) and the one writer task: frames are appended to the
/// pending buffer while the other one is being written to the transport, so frames of many streams leave in few
/// writes. Pooled arrays; not thread-safe (the connection's lock guards it), and the memory returned by
/// <see cref="TakePending"/> stays valid until the next call.
/// </summary>
internal sealed class Http2WriteBuffer : IDisposable
{
    private byte[] _pending;
    private byte[] _inFlight;

    public Http2WriteBuffer(int capacity)
    {
        _pending = ArrayPool<byte>.Shared.Rent(capacity);
        _inFlight = ArrayPool<byte>.Shared.Rent(capacity);
    }

    /// <summary>Bytes appended and not yet taken.</summary>
    public int Length { get; private set; }

    /// <summary>A span of at least <paramref name="size"/> bytes at the end of the pending data; grows (rarely: control frames past a full buffer).</summary>
    public Span<byte> GetSpan(int size)
    {
        if (_pending.Length - Length < size)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(Length + size, _pending.Length * 2));
            _pending.AsSpan(0, Length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = larger;
        }

        return _pending.AsSpan(Length, size);
    }

    public void Advance(int count) => Length += count;

    /// <summary>Swaps the buffers and returns what was pending, for the writer to write before it calls again.</summary>
    public ReadOnlyMemory<byte> TakePending()
    {
        (_pending, _inFlight) = (_inFlight, _pending);
        ReadOnlyMemory<byte> taken = _inFlight.AsMemory(0, Length);
        Length = 0;
        return taken;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_pending);
        ArrayPool<byte>.Shared.Return(_inFlight);
        _pending = [];
        _inFlight = [];
        Length = 0;
    }
}
