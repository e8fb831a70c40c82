using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>asm-generic/ioctls.h; same value on x86-64 and arm64. Bytes queued for reading.</summary>
        internal const uint FIONREAD = 0x541B;

        // int ioctl(int fd, unsigned long request, ... /* int *argp */);
        [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int Ioctl(int fd, nuint request, int* argp);
    }
}
