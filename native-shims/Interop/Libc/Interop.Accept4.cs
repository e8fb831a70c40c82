using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
        [LibraryImport(Libraries.Libc, EntryPoint = "accept4", SetLastError = true)]
        internal static unsafe partial int Accept4(int sockfd, void* addr, uint* addrlen, int flags);
    }
}
