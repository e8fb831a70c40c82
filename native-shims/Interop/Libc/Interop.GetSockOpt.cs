using System.Runtime.InteropServices;

namespace Capture.NativeShims;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int SOL_SOCKET = 1;
        internal const int SO_REUSEADDR = 2;
        internal const int SO_ERROR = 4;
        internal const int SO_SNDBUF = 7;
        internal const int SO_RCVBUF = 8;
        internal const int SO_KEEPALIVE = 9;
        internal const int SO_LINGER = 13;
        internal const int SO_REUSEPORT = 15;
        internal const int SO_RCVLOWAT = 18;
        internal const int SO_MARK = 36;

        internal const int SOL_IP = 0;
        internal const int IP_FREEBIND = 15;
        internal const int IP_TRANSPARENT = 19;
        internal const int IP_BIND_ADDRESS_NO_PORT = 24;
        /// <summary>linux/netfilter_ipv4.h: fills a sockaddr_in with the pre-NAT destination.</summary>
        internal const int SO_ORIGINAL_DST = 80;

        internal const int SOL_IPV6 = 41;
        internal const int IPV6_V6ONLY = 26;
        internal const int IPV6_TRANSPARENT = 75;
        internal const int IPV6_FREEBIND = 78;
        /// <summary>linux/netfilter_ipv6/ip6_tables.h: fills a sockaddr_in6 with the pre-NAT destination.</summary>
        internal const int IP6T_SO_ORIGINAL_DST = 80;

        internal const int SOL_TCP = 6;
        internal const int TCP_NODELAY = 1;

        // int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen);
        [LibraryImport(Libraries.Libc, EntryPoint = "getsockopt", SetLastError = true)]
        internal static unsafe partial int GetSockOpt(int sockfd, int level, int optname, void* optval, uint* optlen);
    }
}
