using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int MSG_PEEK = 0x2;
        internal const int MSG_DONTWAIT = 0x40;
        internal const int MSG_NOSIGNAL = 0x4000;

        // ssize_t recv(int sockfd, void *buf, size_t len, int flags);
        [LibraryImport(Libraries.Libc, EntryPoint = "recv", SetLastError = true)]
        internal static unsafe partial nint Recv(int sockfd, void* buf, nuint len, int flags);
    }
}
