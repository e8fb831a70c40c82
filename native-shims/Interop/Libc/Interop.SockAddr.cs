using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>struct sockaddr_in (netinet/in.h), 16 bytes; port and address in network byte order.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct SockAddrIn
        {
            public ushort sin_family;
            public ushort sin_port;
            public uint sin_addr;
            public fixed byte sin_zero[8];
        }

        /// <summary>struct sockaddr_in6 (netinet/in.h), 28 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct SockAddrIn6
        {
            public ushort sin6_family;
            public ushort sin6_port;
            public uint sin6_flowinfo;
            public fixed byte sin6_addr[16];
            public uint sin6_scope_id;
        }
    }
}
