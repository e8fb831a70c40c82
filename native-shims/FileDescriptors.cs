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
}
