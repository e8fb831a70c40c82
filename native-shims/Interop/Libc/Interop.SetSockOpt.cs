using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>struct linger from sys/socket.h (8 bytes).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Linger
        {
            public int l_onoff;
            public int l_linger;
        }

        // int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen);
        [LibraryImport(Libraries.Libc, EntryPoint = "setsockopt", SetLastError = true)]
        internal static unsafe partial int SetSockOpt(int sockfd, int level, int optname, void* optval, uint optlen);
    }
}
