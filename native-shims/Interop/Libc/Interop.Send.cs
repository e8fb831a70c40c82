using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // ssize_t send(int sockfd, const void *buf, size_t len, int flags);
        [LibraryImport(Libraries.Libc, EntryPoint = "send", SetLastError = true)]
        internal static unsafe partial nint Send(int sockfd, void* buf, nuint len, int flags);
    }
}
