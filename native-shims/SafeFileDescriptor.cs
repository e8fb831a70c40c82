using System.Runtime.InteropServices;

namespace Capture.NativeShims;

/// <summary>An owned Linux file descriptor. 0 is a valid descriptor; close(2) is never retried.</summary>
public sealed class SafeFileDescriptor : SafeHandle
{
    public SafeFileDescriptor() : base(invalidHandleValue: -1, ownsHandle: true) { }

    /// <summary>Wraps <paramref name="fd"/>; when <paramref name="ownsHandle"/> is true, disposing closes it.</summary>
    public SafeFileDescriptor(int fd, bool ownsHandle = true) : base(invalidHandleValue: -1, ownsHandle)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle < 0; // 0 is a valid descriptor

    /// <summary>The raw descriptor number; valid only while this handle is alive and not disposed.</summary>
    public int Fd => (int)handle;

    // close(2) is never retried: on Linux the descriptor is released even when close reports EINTR,
    // and a retry could close a descriptor another thread has just been given.
    protected override bool ReleaseHandle() => Interop.Libc.Close((int)handle) == 0;
}
