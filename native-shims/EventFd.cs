namespace Capture.NativeShims;

/// <summary>eventfd(2): a counter descriptor other threads write to wake an epoll loop.</summary>
public static unsafe class EventFd
{
    /// <summary>eventfd(0, EFD_CLOEXEC [| EFD_NONBLOCK]).</summary>
    public static SysResult Create(bool nonBlocking)
    {
        int fd = Interop.Libc.EventFd(0, Interop.Libc.EFD_CLOEXEC | (nonBlocking ? Interop.Libc.EFD_NONBLOCK : 0));
        return fd < 0 ? SysResult.Failed(Errno.Last) : SysResult.Ok(fd);
    }

    /// <summary>Adds 1 to the counter (an 8-byte write), making the descriptor readable.</summary>
    public static Errno Signal(int fd)
    {
        ulong one = 1;
        nint written;
        Errno error;
        do
        {
            written = Interop.Libc.Write(fd, &one, sizeof(ulong));
            error = written < 0 ? Errno.Last : Errno.None;
        }
        while (error == Errno.EINTR);

        // EAGAIN means the counter is at its maximum: the descriptor is readable already, which is all we want.
        return error == Errno.EAGAIN ? Errno.None : error;
    }

    /// <summary>Reads and resets the counter; EAGAIN (non-blocking, counter 0) is reported as 0.</summary>
    public static SysResult Drain(int fd)
    {
        ulong value = 0;
        nint read;
        Errno error;
        do
        {
            read = Interop.Libc.Read(fd, &value, sizeof(ulong));
            error = read < 0 ? Errno.Last : Errno.None;
        }
        while (error == Errno.EINTR);

        return error switch
        {
            Errno.None => SysResult.Ok((int)Math.Min(value, int.MaxValue)),
            Errno.EAGAIN => SysResult.Ok(0),
            _ => SysResult.Failed(error),
        };
    }
}
