using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen);
        [LibraryImport(Libraries.Libc, EntryPoint = "connect", SetLastError = true)]
        internal static unsafe partial int Connect(int sockfd, void* addr, uint addrlen);
    }
}
