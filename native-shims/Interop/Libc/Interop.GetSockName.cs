using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen);
        [LibraryImport(Libraries.Libc, EntryPoint = "getsockname", SetLastError = true)]
        internal static unsafe partial int GetSockName(int sockfd, void* addr, uint* addrlen);
    }
}
