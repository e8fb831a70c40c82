namespace Capture.NativeShims;

/// <summary>splice(2) between a socket and a pipe, retrying EINTR.</summary>
public static unsafe class Splicing
{
    /// <summary>
    /// Moves up to <paramref name="length"/> bytes from <paramref name="source"/> to <paramref name="target"/>.
    /// 0 bytes from a socket means the peer shut down its write side, so never ask for 0 bytes (that also returns 0).
    /// </summary>
    public static SysResult Move(int source, int target, int length, SpliceFlags flags)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        nint moved;
        Errno error;
        do
        {
            moved = Interop.Libc.Splice(source, null, target, null, (nuint)length, (uint)flags);
            error = moved < 0 ? Errno.Last : Errno.None;
        }
        while (error == Errno.EINTR);

        return moved < 0 ? SysResult.Failed(error) : SysResult.Ok((int)moved);
    }
}
