using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int EFD_NONBLOCK = O_NONBLOCK;
        internal const int EFD_CLOEXEC = O_CLOEXEC;

        // int eventfd(unsigned int initval, int flags);
        [LibraryImport(Libraries.Libc, EntryPoint = "eventfd", SetLastError = true)]
        internal static partial int EventFd(uint initval, int flags);
    }
}
