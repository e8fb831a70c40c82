using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int F_GETFL = 3;
        internal const int F_SETFL = 4;
        internal const int F_DUPFD_CLOEXEC = 1030; // F_LINUX_SPECIFIC_BASE (1024) + 6
        internal const int F_SETPIPE_SZ = 1031;  // F_LINUX_SPECIFIC_BASE (1024) + 7
        internal const int F_GETPIPE_SZ = 1032;  // F_LINUX_SPECIFIC_BASE (1024) + 8

        // int fcntl(int fd, int cmd, ... /* int arg */);
        // Variadic, but every Linux ABI we ship on (x86-64 SysV, AAPCS64) passes a trailing int like a fixed one.
        [LibraryImport(Libraries.Libc, EntryPoint = "fcntl", SetLastError = true)]
        internal static partial int Fcntl(int fd, int cmd, int arg);
    }
}
