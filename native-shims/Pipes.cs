namespace Capture.NativeShims;

/// <summary>Anonymous pipes for splice: created O_NONBLOCK | O_CLOEXEC, sized with F_SETPIPE_SZ.</summary>
public static unsafe class Pipes
{
    /// <summary>The kernel's default pipe capacity (16 pages of 4 KiB).</summary>
    public const int DefaultCapacity = 64 * 1024;

    /// <summary>pipe2(O_NONBLOCK | O_CLOEXEC). EMFILE/ENFILE when descriptors run out.</summary>
    public static Errno Create(out int readFd, out int writeFd)
    {
        int* fds = stackalloc int[2];
        if (Interop.Libc.Pipe2(fds, Interop.Libc.O_NONBLOCK | Interop.Libc.O_CLOEXEC) != 0)
        {
            Errno error = Errno.Last;
            readFd = writeFd = -1;
            return error;
        }

        readFd = fds[0];
        writeFd = fds[1];
        return Errno.None;
    }

    /// <summary>
    /// fcntl(F_SETPIPE_SZ): the kernel rounds up to a power-of-two number of pages and returns the capacity it set.
    /// EPERM when the size exceeds /proc/sys/fs/pipe-max-size without CAP_SYS_RESOURCE or the user is over the
    /// pipe-user-pages limit.
    /// </summary>
    public static SysResult SetCapacity(int fd, int bytes)
    {
        int result = Interop.Libc.Fcntl(fd, Interop.Libc.F_SETPIPE_SZ, bytes);
        return result < 0 ? SysResult.Failed(Errno.Last) : SysResult.Ok(result);
    }

    /// <summary>fcntl(F_GETPIPE_SZ): the pipe's capacity in bytes.</summary>
    public static SysResult GetCapacity(int fd)
    {
        int result = Interop.Libc.Fcntl(fd, Interop.Libc.F_GETPIPE_SZ, 0);
        return result < 0 ? SysResult.Failed(Errno.Last) : SysResult.Ok(result);
    }

    /// <summary>ioctl(FIONREAD): bytes waiting to be read from a pipe or socket.</summary>
    public static SysResult BytesAvailable(int fd)
    {
        int count = 0;
        return Interop.Libc.Ioctl(fd, Interop.Libc.FIONREAD, &count) < 0 ? SysResult.Failed(Errno.Last) : SysResult.Ok(count);
    }
}
