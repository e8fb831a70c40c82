using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int AF_INET = 2;
        internal const int AF_INET6 = 10;
        internal const int SOCK_STREAM = 1;
        internal const int SOCK_NONBLOCK = 0x800;   // 04000, same as O_NONBLOCK
        internal const int SOCK_CLOEXEC = 0x80000;  // 02000000, same as O_CLOEXEC
        internal const int IPPROTO_TCP = 6;

        // int socket(int domain, int type, int protocol);
        [LibraryImport(Libraries.Libc, EntryPoint = "socket", SetLastError = true)]
        internal static partial int Socket(int domain, int type, int protocol);
    }
}
