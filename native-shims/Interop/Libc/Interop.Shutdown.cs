using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int SHUT_RD = 0;
        internal const int SHUT_WR = 1;
        internal const int SHUT_RDWR = 2;

        // int shutdown(int sockfd, int how);
        [LibraryImport(Libraries.Libc, EntryPoint = "shutdown", SetLastError = true)]
        internal static partial int Shutdown(int sockfd, int how);
    }
}
