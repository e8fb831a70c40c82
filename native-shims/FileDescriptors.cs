namespace Capture.NativeShims;

/// <summary>read(2)/write(2) on any descriptor (pipes, eventfd), retrying EINTR.</summary>
public static unsafe class FileDescriptors
{
    public static SysResult Read(int fd, Span<byte> buffer)
    {
        nint count;
        Errno error;
        fixed (byte* b = buffer)
        {
            do
            {
                count = Interop.Libc.Read(fd, b, (nuint)buffer.Length);
                error = count < 0 ? Errno.Last : Errno.None;
            }
            while (error == Errno.EINTR);
        }

        return count < 0 ? SysResult.Failed(error) : SysResult.Ok((int)count);
    }

    public static SysResult Write(int fd, ReadOnlySpan<byte> buffer)
    {
        nint count;
        Errno error;
        fixed (byte* b = buffer)
        {
            do
            {
                count = Interop.Libc.Write(fd, b, (nuint)buffer.Length);
                error = count < 0 ? Errno.Last : Errno.None;
            }
            while (error == Errno.EINTR);
        }

        return count < 0 ? SysResult.Failed(error) : SysResult.Ok((int)count);
    }

    /// <summary>
    /// A new descriptor (close-on-exec, the lowest free number) for the same open file: a reference of one's own that
    /// stays valid, and names the same file, whatever happens to <paramref name="fd"/> and its number afterwards.
    /// </summary>
    public static SysResult Duplicate(int fd)
    {
        int result = Interop.Libc.Fcntl(fd, Interop.Libc.F_DUPFD_CLOEXEC, 0);
        return result < 0 ? SysResult.Failed(Errno.Last) : SysResult.Ok(result);
    }

    /// <summary>
    /// open(2) read-only and close-on-exec. Unlike <c>File.OpenHandle</c>, it takes no flock(2) of its own (.NET takes
    /// a shared one for FileShare.Read), so it can open a file another process, or this one, holds locked.
    /// </summary>
    public static SysResult OpenReadOnly(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        int fd;
        Errno error;
        do
        {
            fd = Interop.Libc.Open(path, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC);
            error = fd < 0 ? Errno.Last : Errno.None;
        }
        while (error == Errno.EINTR);

        return fd < 0 ? SysResult.Failed(error) : SysResult.Ok(fd);
    }

    /// <summary>
    /// flock(2) LOCK_EX | LOCK_NB: <see cref="Errno.None"/> when the exclusive lock is now held through this open file,
    /// <see cref="Errno.EAGAIN"/> (EWOULDBLOCK) when another open file of the same inode holds it. Released by
    /// <see cref="Close"/> (or the process's death), which is what makes a lock of a killed process go away.
    /// </summary>
    public static Errno TryLockExclusive(int fd)
    {
        Errno error;
        do
        {
            error = Interop.Libc.Flock(fd, Interop.Libc.LOCK_EX | Interop.Libc.LOCK_NB) < 0 ? Errno.Last : Errno.None;
        }
        while (error == Errno.EINTR);

        return error;
    }

    /// <summary>close(2); errors are not reported (the descriptor is gone either way on Linux).</summary>
    public static void Close(int fd) => _ = Interop.Libc.Close(fd);

    /// <summary>The C library's sentence for <paramref name="error"/> (strerror), e.g. "No such file or directory".</summary>
    public static string Describe(Errno error) => System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage((int)error);

    /// <summary>
    /// Reads a blocking descriptor (a child's stdout pipe, say) until end-of-file. For pipes this is what
    /// <c>PipeStream</c> cannot do on Linux without wrapping the descriptor in a socket and loading the socket stack.
    /// </summary>
    public static SysResult ReadToEnd(int fd, out byte[] content)
    {
        byte[] buffer = new byte[16 * 1024];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            SysResult read = Read(fd, buffer.AsSpan(length));
            if (!read.IsSuccess)
            {
                content = buffer[..length];
                return read;
            }

            if (read.Value == 0)
            {
                content = buffer[..length];
                return SysResult.Ok(length);
            }

            length += read.Value;
        }
    }

    /// <summary>Writes all of <paramref name="data"/> to a blocking descriptor; EPIPE when the reader has gone.</summary>
    public static Errno WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            SysResult written = Write(fd, data);
            if (!written.IsSuccess)
            {
                return written.Error;
            }

            data = data[written.Value..];
        }

        return Errno.None;
    }
}
