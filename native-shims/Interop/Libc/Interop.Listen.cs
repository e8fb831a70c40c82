using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int listen(int sockfd, int backlog);
        [LibraryImport(Libraries.Libc, EntryPoint = "listen", SetLastError = true)]
        internal static partial int Listen(int sockfd, int backlog);
    }
}
