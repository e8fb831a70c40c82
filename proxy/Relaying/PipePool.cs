using Capture.NativeShims;

namespace Capture.Proxy.Relaying;

/// <summary>
/// Pipes for one event loop (single-threaded, no locks). Connections lease a pipe only while bytes are in flight
/// and give it back empty; a pipe that still holds bytes is closed, never reused. The pool keeps at most
/// <c>capacity</c> idle pipes, because per-UID pipe memory is limited (pipe-user-pages-soft: 64 MiB for UID 1337)
/// and over that limit new pipes silently shrink to one page.
/// </summary>
/// <remarks>
/// Pipes start at the base size (the kernel's 64 KiB, or the configured size if smaller). A direction that moves bulk
/// data grows its pipe in place to the configured size with F_SETPIPE_SZ (<see cref="TryGrow"/>): one splice pair then
/// moves up to 1 MiB instead of 64 KiB. Measured 2026-11-21 (iperf3 one stream, 6 interleaved rounds on a loaded
/// 2-vCPU machine): 64 KiB pipes 10.28 Gbit/s at 0.260 proxy CPU-s/GB, 1 MiB pipes 11.52 Gbit/s at 0.202, HAProxy
/// 10.09 at 0.247. Grown pipes are few and bounded (<see cref="BulkLimit"/>), so thousands of connections still get
/// base-size pipes under the per-user limit.
/// </remarks>
internal sealed class PipePool : IDisposable
{
    /// <summary>Below this a pipe has been shrunk by the per-user limit: two splices per 4 KiB cost more than a copy.</summary>
    internal const int MinimumUsefulCapacity = 16 * 1024;

    /// <summary>
    /// Bytes of grown pipes the whole process may hold: a quarter of pipe-user-pages-soft's default 64 MiB (16384
    /// pages), which leaves room for about 750 base-size pipes for everything else.
    /// </summary>
    internal const long BulkBudgetBytes = 16L * 1024 * 1024;

    /// <summary>After pipe2 fails (EMFILE/ENFILE) or yields a shrunken pipe, use the copy path for this long before trying again.</summary>
    private const long UnavailableBackoffMilliseconds = 100;

    private readonly Stack<SplicePipe> _idle;
    private readonly Stack<SplicePipe> _idleBulk;
    private readonly int _baseSize;
    private readonly int _bulkSize;
    private readonly int _capacity;
    private readonly int _bulkLimit;
    private long _unavailableUntil;
    private long _growUnavailableUntil;
    private int _leased;
    private int _pooled;
    private int _bulk;
    private bool _disposed;

    /// <param name="pipeSize">Size bulk pipes grow to; pipes start at 64 KiB, or at this size if it is smaller.</param>
    /// <param name="capacity">Most idle base-size pipes kept.</param>
    /// <param name="bulkLimit">Most grown pipes (leased or idle) this pool may hold at once.</param>
    public PipePool(int pipeSize, int capacity, int bulkLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bulkLimit);
        _baseSize = Math.Min(pipeSize, Pipes.DefaultCapacity);
        _bulkSize = pipeSize > _baseSize ? pipeSize : 0;
        _capacity = capacity;
        _bulkLimit = _bulkSize > 0 ? bulkLimit : 0;
        _idle = new Stack<SplicePipe>(capacity);
        _idleBulk = new Stack<SplicePipe>(_bulkLimit);
    }

    public int Leased => Volatile.Read(ref _leased);

    public int Pooled => Volatile.Read(ref _pooled);

    /// <summary>Grown pipes in existence, leased or idle.</summary>
    public int Bulk => Volatile.Read(ref _bulk);

    /// <summary>Why the last lease or growth failed, for tests and logs.</summary>
    public Errno LastFailure { get; private set; }

    /// <summary>Grown pipes each of <paramref name="workers"/> pools may hold so that all of them stay within <see cref="BulkBudgetBytes"/> (at least one).</summary>
    public static int BulkLimit(int pipeSize, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pipeSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        return (int)Math.Max(1, BulkBudgetBytes / pipeSize / workers);
    }

    /// <summary>
    /// A pooled or new pipe; false when none can be had now (the caller copies instead). <paramref name="bulk"/>
    /// prefers an idle grown pipe, for a direction whose last burst was bulk.
    /// </summary>
    public bool TryLease(long nowMilliseconds, bool bulk, out SplicePipe pipe)
    {
        if ((bulk && _idleBulk.TryPop(out pipe)) || _idle.TryPop(out pipe) || _idleBulk.TryPop(out pipe))
        {
            Volatile.Write(ref _pooled, _idle.Count + _idleBulk.Count);
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
        if (_baseSize != Pipes.DefaultCapacity)
        {
            SysResult set = Pipes.SetCapacity(writeFd, _baseSize); // shrinking: only fails for a bad size
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

    /// <summary>
    /// Grows a leased base-size pipe in place to the bulk size (F_SETPIPE_SZ keeps what it holds). False, without a
    /// system call, when there is no bulk size, the pipe is already grown or the pool is at its limit; false after
    /// EPERM (over pipe-max-size or the per-user limit), and no further attempt for a short while.
    /// </summary>
    public bool TryGrow(long nowMilliseconds, ref SplicePipe pipe)
    {
        if (_bulkSize == 0 || pipe.Capacity >= _bulkSize || _bulk >= _bulkLimit || nowMilliseconds < _growUnavailableUntil)
        {
            return false;
        }

        SysResult set = Pipes.SetCapacity(pipe.WriteFd, _bulkSize);
        if (!set.IsSuccess || set.Value <= pipe.Capacity)
        {
            LastFailure = set.IsSuccess ? Errno.ENOBUFS : set.Error;
            _growUnavailableUntil = nowMilliseconds + UnavailableBackoffMilliseconds;
            return false;
        }

        pipe = pipe with { Capacity = set.Value };
        Volatile.Write(ref _bulk, _bulk + 1);
        return true;
    }

    /// <summary>Takes a leased pipe back: reused if empty and there is room, otherwise closed.</summary>
    public void Return(SplicePipe pipe, bool empty)
    {
        Volatile.Write(ref _leased, _leased - 1);
        bool grown = pipe.Capacity > _baseSize;
        Stack<SplicePipe> idle = grown ? _idleBulk : _idle;
        // Grown pipes count against the pool's capacity too: --pipe-pool-size 0 keeps no idle pipe of any size.
        if (empty && !_disposed && idle.Count < (grown ? Math.Min(_bulkLimit, _capacity) : _capacity))
        {
            idle.Push(pipe);
            Volatile.Write(ref _pooled, _idle.Count + _idleBulk.Count);
            return;
        }

        Close(pipe);
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryPop(out SplicePipe pipe) || _idleBulk.TryPop(out pipe))
        {
            Close(pipe);
        }

        Volatile.Write(ref _pooled, 0);
    }

    // Closing either end of a pipe cannot fail in a way we could act on; the descriptors are gone either way.
    private void Close(SplicePipe pipe)
    {
        if (pipe.Capacity > _baseSize)
        {
            Volatile.Write(ref _bulk, _bulk - 1);
        }

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
