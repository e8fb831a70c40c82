using System.Runtime.InteropServices;

namespace Capture.NativeShims;

/// <summary>
/// An epoll instance with its own native event buffer, reused by every <see cref="Wait"/>. Not thread-safe for
/// <see cref="Wait"/>/<see cref="GetEvent"/> (one loop owns it); epoll_ctl itself may be called from any thread.
/// </summary>
public sealed unsafe class Epoll : IDisposable
{
    // struct epoll_event is __attribute__((packed)) on x86-64 only (12 bytes); arm64 uses natural alignment (16).
    private static readonly bool s_packed =
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

    private static bool s_precise = true;

    private readonly SafeFileDescriptor _epfd;
    private readonly void* _events;
    private readonly int _capacity;
    private int _disposed;

    private Epoll(SafeFileDescriptor epfd, int capacity)
    {
        _epfd = epfd;
        _capacity = capacity;
        _events = NativeMemory.AllocZeroed((nuint)capacity, (nuint)EventSize);
    }

    ~Epoll() => Dispose();

    /// <summary>sizeof(struct epoll_event) on this architecture.</summary>
    public static int EventSize => s_packed ? sizeof(Interop.Libc.EpollEventPacked) : sizeof(Interop.Libc.EpollEventAligned);

    /// <summary>The epoll descriptor.</summary>
    public int Fd => _epfd.Fd;

    /// <summary>How many events one <see cref="Wait"/> can return.</summary>
    public int Capacity => _capacity;

    /// <summary>epoll_create1(EPOLL_CLOEXEC) with room for <paramref name="capacity"/> events per wait.</summary>
    public static Epoll Create(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        int fd = Interop.Libc.EpollCreate1(Interop.Libc.EPOLL_CLOEXEC);
        return fd < 0 ? throw new NativeCallException("epoll_create1", Errno.Last) : new Epoll(new SafeFileDescriptor(fd), capacity);
    }

    public Errno Add(int fd, EpollEvents events, ulong data) => Control(Interop.Libc.EPOLL_CTL_ADD, fd, events, data);

    public Errno Modify(int fd, EpollEvents events, ulong data) => Control(Interop.Libc.EPOLL_CTL_MOD, fd, events, data);

    /// <summary>EPOLL_CTL_DEL. Closing a descriptor also removes it, unless it was duplicated.</summary>
    public Errno Remove(int fd) => Control(Interop.Libc.EPOLL_CTL_DEL, fd, EpollEvents.None, 0);

    /// <summary>
    /// epoll_wait into the internal buffer; the count is in <see cref="SysResult.Value"/>. EINTR is reported as 0
    /// events (not retried here: the caller's loop recomputes its timeout anyway).
    /// </summary>
    public SysResult Wait(int timeoutMilliseconds)
    {
        int count = Interop.Libc.EpollWait(_epfd.Fd, _events, _capacity, timeoutMilliseconds);
        if (count >= 0)
        {
            return SysResult.Ok(count);
        }

        Errno error = Errno.Last;
        return error == Errno.EINTR ? SysResult.Ok(0) : SysResult.Failed(error);
    }

    /// <summary>
    /// Like <see cref="Wait(int)"/> with a timeout in microseconds (negative waits for ever), through epoll_pwait2
    /// (Linux 5.11, glibc 2.35). Where that is missing, falls back to epoll_wait with the timeout rounded up to a
    /// millisecond, so a deadline is never woken before it is due.
    /// </summary>
    public SysResult WaitMicroseconds(long timeoutMicroseconds)
    {
        if (timeoutMicroseconds < 0 || !s_precise)
        {
            return Wait(timeoutMicroseconds < 0 ? -1 : (int)Math.Min((timeoutMicroseconds + 999) / 1000, int.MaxValue));
        }

        Interop.Libc.Timespec timeout = new() { tv_sec = timeoutMicroseconds / 1_000_000, tv_nsec = timeoutMicroseconds % 1_000_000 * 1000 };
        int count;
        try
        {
            count = Interop.Libc.EpollPwait2(_epfd.Fd, _events, _capacity, &timeout, null);
        }
        catch (EntryPointNotFoundException)
        {
            s_precise = false; // glibc older than 2.35
            return WaitMicroseconds(timeoutMicroseconds);
        }

        if (count >= 0)
        {
            return SysResult.Ok(count);
        }

        Errno error = Errno.Last;
        if (error == Errno.ENOSYS)
        {
            s_precise = false; // kernel older than 5.11
            return WaitMicroseconds(timeoutMicroseconds);
        }

        return error == Errno.EINTR ? SysResult.Ok(0) : SysResult.Failed(error);
    }

    /// <summary>The <paramref name="index"/>-th event of the last <see cref="Wait"/>.</summary>
    public EpollEvent GetEvent(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_capacity, nameof(index));
        if (s_packed)
        {
            Interop.Libc.EpollEventPacked e = ((Interop.Libc.EpollEventPacked*)_events)[index];
            return new EpollEvent((EpollEvents)e.events, e.data);
        }

        Interop.Libc.EpollEventAligned a = ((Interop.Libc.EpollEventAligned*)_events)[index];
        return new EpollEvent((EpollEvents)a.events, a.data);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _epfd.Dispose();
        NativeMemory.Free(_events);
        GC.SuppressFinalize(this);
    }

    private Errno Control(int op, int fd, EpollEvents events, ulong data)
    {
        if (s_packed)
        {
            Interop.Libc.EpollEventPacked e = new() { events = (uint)events, data = data };
            return Interop.Libc.EpollCtl(_epfd.Fd, op, fd, &e) == 0 ? Errno.None : Errno.Last;
        }

        Interop.Libc.EpollEventAligned a = new() { events = (uint)events, data = data };
        return Interop.Libc.EpollCtl(_epfd.Fd, op, fd, &a) == 0 ? Errno.None : Errno.Last;
    }
}
