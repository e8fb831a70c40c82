using System.Buffers;

namespace Capture.Proxy.Tunneling.Http2;

/// <summary>
/// Bytes received on a stream and not yet read: a queue of pooled segments, so an idle stream holds no memory and a
/// slow reader holds at most its receive window (the peer cannot send more before we return credit).
/// Not thread-safe; the connection's lock guards it.
/// </summary>
internal sealed class Http2ReceiveBuffer
{
    /// <summary>Size of each pooled segment.</summary>
    public const int SegmentSize = 64 * 1024;

    private byte[][] _segments = new byte[4][];
    private int _head;         // ring index of the oldest segment
    private int _count;        // segments in use
    private int _headOffset;   // read position in the oldest segment
    private int _tailLength;   // write position in the newest segment

    public int Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_count == 0 || _tailLength == SegmentSize)
            {
                AddSegment();
            }

            int chunk = Math.Min(data.Length, SegmentSize - _tailLength);
            data[..chunk].CopyTo(_segments[(_head + _count - 1) % _segments.Length].AsSpan(_tailLength));
            _tailLength += chunk;
            Length += chunk;
            data = data[chunk..];
        }
    }

    public int Read(Span<byte> destination)
    {
        int read = 0;
        while (read < destination.Length && _count > 0)
        {
            int end = _count == 1 ? _tailLength : SegmentSize;
            int chunk = Math.Min(destination.Length - read, end - _headOffset);
            _segments[_head].AsSpan(_headOffset, chunk).CopyTo(destination[read..]);
            _headOffset += chunk;
            read += chunk;
            if (_headOffset == end)
            {
                RemoveHead();
            }
        }

        Length -= read;
        return read;
    }

    /// <summary>Drops everything unread and returns the segments to the pool; returns how many bytes were dropped.</summary>
    public int Clear()
    {
        int dropped = Length;
        while (_count > 0)
        {
            RemoveHead();
        }

        Length = 0;
        return dropped;
    }

    private void AddSegment()
    {
        if (_count == _segments.Length)
        {
            byte[][] larger = new byte[_segments.Length * 2][];
            for (int i = 0; i < _count; i++)
            {
                larger[i] = _segments[(_head + i) % _segments.Length];
            }

            _segments = larger;
            _head = 0;
        }

        _segments[(_head + _count) % _segments.Length] = ArrayPool<byte>.Shared.Rent(SegmentSize);
        _count++;
        _tailLength = 0;
    }

    private void RemoveHead()
    {
        ArrayPool<byte>.Shared.Return(_segments[_head]);
        _segments[_head] = null!;
        _head = (_head + 1) % _segments.Length;
        _count--;
        _headOffset = 0;
        if (_count == 0)
        {
            _head = 0;
            _tailLength = 0;
        }
    }
}
