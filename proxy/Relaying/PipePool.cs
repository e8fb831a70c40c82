using Capture.NativeShims;

namespace Capture.Proxy.Relaying;

/// <summary>
/// Pipes for one event loop (single-threaded, no locks). Connections lease a pipe only while bytes are in flight
/// and give it back empty; a pipe that still holds bytes is closed, never reused. The pool keeps at most
/// <c>capacity</c> idle pipes, because per-UID pipe memory is limited (pipe-user-pages-soft: 64 MiB for UID 1337)
/// and over that limit new pipes silently shrink to one page.
/// </summary>
internal sealed class PipePool : IDisposable
{
    /// <summary>Below this a pipe has been shrunk by the per-user limit: two splices per 4 KiB cost more than a copy.</summary>
    internal const int MinimumUsefulCapacity = 16 * 1024;

    /// <summary>After pipe2 fails (EMFILE/ENFILE) or yields a shrunken pipe, use the copy path for this long before trying again.</summary>
    private const long UnavailableBackoffMilliseconds = 100;

    private readonly Stack<SplicePipe> _idle;
    private readonly int _pipeSize;
    private readonly int _capacity;
    private long _unavailableUntil;
    private int _leased;
    private int _pooled;
    private bool _disposed;

    public PipePool(int pipeSize, int capacity)
    {
        _pipeSize = pipeSize;
        _capacity = capacity;
        _idle = new Stack<SplicePipe>(capacity);
    }

    public int Leased => Volatile.Read(ref _leased);

    public int Pooled => Volatile.Read(ref _pooled);

    /// <summary>Why the last lease failed, for tests and logs.</summary>
    public Errno LastFailure { get; private set; }

    /// <summary>A pooled or new pipe; false when none can be had now (the caller copies instead).</summary>
    public bool TryLease(long nowMilliseconds, out SplicePipe pipe)
    {
        if (_idle.TryPop(out pipe))
        {
            Volatile.Write(ref _pooled, _idle.Count);
            Volatile.Write(ref _leased, _leased + 1);
            return true;
        }

        if (_disposed || nowMilliseconds < _unavailableUntil)
        {
            pipe = SplicePipe.None;
            return false;
        }

        Errno error = Pipes.Create(out int readFd, out int writeFd);
        if (error != Errno.None)
        {
            return Unavailable(nowMilliseconds, error, out pipe);
        }

        int capacity = Pipes.DefaultCapacity;
        if (_pipeSize != Pipes.DefaultCapacity)
        {
            // EPERM here means over pipe-max-size or the per-user limit: keep whatever the kernel gave us.
            SysResult set = Pipes.SetCapacity(writeFd, _pipeSize);
            capacity = set.IsSuccess ? set.Value : Pipes.GetCapacity(writeFd).Value;
        }
        else
        {
            SysResult current = Pipes.GetCapacity(writeFd);
            capacity = current.IsSuccess ? current.Value : capacity;
        }

        if (capacity < MinimumUsefulCapacity)
        {
            Sockets.Close(readFd);
            Sockets.Close(writeFd);
            return Unavailable(nowMilliseconds, Errno.ENOBUFS, out pipe);
        }

        pipe = new SplicePipe(readFd, writeFd, capacity);
        Volatile.Write(ref _leased, _leased + 1);
        return true;
    }

    /// <summary>Takes a leased pipe back: reused if empty and there is room, otherwise closed.</summary>
    public void Return(SplicePipe pipe, bool empty)
    {
        Volatile.Write(ref _leased, _leased - 1);
        if (empty && !_disposed && _idle.Count < _capacity)
        {
            _idle.Push(pipe);
            Volatile.Write(ref _pooled, _idle.Count);
            return;
        }

        Close(pipe);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out SplicePipe pipe))
        {
            Close(pipe);
        }

        Volatile.Write(ref _pooled, 0);
    }

    // Closing either end of a pipe cannot fail in a way we could act on; the descriptors are gone either way.
    private static void Close(SplicePipe pipe)
    {
        Sockets.Close(pipe.ReadFd);
        Sockets.Close(pipe.WriteFd);
    }

    private bool Unavailable(long nowMilliseconds, Errno error, out SplicePipe pipe)
    {
        LastFailure = error;
        _unavailableUntil = nowMilliseconds + UnavailableBackoffMilliseconds;
        pipe = SplicePipe.None;
        return false;
    }
}
