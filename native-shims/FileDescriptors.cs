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
}
