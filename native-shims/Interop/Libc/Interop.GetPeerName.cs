using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int getpeername(int sockfd, struct sockaddr *addr, socklen_t *addrlen);
        [LibraryImport(Libraries.Libc, EntryPoint = "getpeername", SetLastError = true)]
        internal static unsafe partial int GetPeerName(int sockfd, void* addr, uint* addrlen);
    }
}
