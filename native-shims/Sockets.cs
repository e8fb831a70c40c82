using System.Net.Sockets;

namespace Capture.NativeShims;

/// <summary>
/// TCP socket calls on raw descriptors, for event loops that own their descriptors. Every method retries EINTR
/// and reports failure as an <see cref="Errno"/>; none throws on an I/O failure.
/// </summary>
public static unsafe class Sockets
{
    /// <summary>socket(AF_INET|AF_INET6, SOCK_STREAM | SOCK_CLOEXEC [| SOCK_NONBLOCK], IPPROTO_TCP).</summary>
    public static SysResult CreateTcp(AddressFamily family, bool nonBlocking)
    {
        int domain = family switch
        {
            AddressFamily.InterNetwork => Interop.Libc.AF_INET,
            AddressFamily.InterNetworkV6 => Interop.Libc.AF_INET6,
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Only IPv4 and IPv6 are supported."),
        };
        int type = Interop.Libc.SOCK_STREAM | Interop.Libc.SOCK_CLOEXEC | (nonBlocking ? Interop.Libc.SOCK_NONBLOCK : 0);
        int fd = Interop.Libc.Socket(domain, type, Interop.Libc.IPPROTO_TCP);
        return fd < 0 ? SysResult.Failed(Errno.Last) : SysResult.Ok(fd);
    }

    public static Errno Bind(int fd, in NativeSocketAddress address)
    {
        fixed (NativeSocketAddress* a = &address)
        {
            return Interop.Libc.Bind(fd, a, address.Length) == 0 ? Errno.None : Errno.Last;
        }
    }

    public static Errno Listen(int fd, int backlog) => Interop.Libc.Listen(fd, backlog) == 0 ? Errno.None : Errno.Last;

    /// <summary>accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC; fills <paramref name="peer"/> with the client address.</summary>
    public static SysResult Accept(int listenFd, out NativeSocketAddress peer)
    {
        peer = default;
        int fd;
        Errno error;
        fixed (NativeSocketAddress* p = &peer)
        {
            do
            {
                uint length = NativeSocketAddress.SizeOfIn6;
                fd = Interop.Libc.Accept4(listenFd, p, &length, Interop.Libc.SOCK_NONBLOCK | Interop.Libc.SOCK_CLOEXEC);
                error = fd < 0 ? Errno.Last : Errno.None;
            }
            while (error == Errno.EINTR);
        }

        return fd < 0 ? SysResult.Failed(error) : SysResult.Ok(fd);
    }

    /// <summary>
    /// connect(2). On a non-blocking socket <see cref="Errno.EINPROGRESS"/> means the handshake is under way: wait
    /// for EPOLLOUT, then read <see cref="GetPendingError"/>. EINTR is reported as EINPROGRESS, since the kernel
    /// keeps connecting asynchronously and a second connect would only say EALREADY.
    /// </summary>
    public static Errno Connect(int fd, in NativeSocketAddress address)
    {
        fixed (NativeSocketAddress* a = &address)
        {
            if (Interop.Libc.Connect(fd, a, address.Length) == 0)
            {
                return Errno.None;
            }

            Errno error = Errno.Last;
            return error == Errno.EINTR ? Errno.EINPROGRESS : error;
        }
    }

    /// <summary>getsockopt(SO_ERROR): the outcome of a non-blocking connect, or a pending asynchronous error.</summary>
    public static Errno GetPendingError(int fd, out Errno pending)
    {
        Errno error = GetInt(fd, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_ERROR, out int value);
        pending = (Errno)value;
        return error;
    }

    public static Errno GetLocalAddress(int fd, out NativeSocketAddress address)
    {
        address = default;
        fixed (NativeSocketAddress* a = &address)
        {
            uint length = NativeSocketAddress.SizeOfIn6;
            return Interop.Libc.GetSockName(fd, a, &length) == 0 ? Errno.None : Errno.Last;
        }
    }

    public static Errno GetPeerAddress(int fd, out NativeSocketAddress address)
    {
        address = default;
        fixed (NativeSocketAddress* a = &address)
        {
            uint length = NativeSocketAddress.SizeOfIn6;
            return Interop.Libc.GetPeerName(fd, a, &length) == 0 ? Errno.None : Errno.Last;
        }
    }

    /// <summary>shutdown(2) with SHUT_RD (0), SHUT_WR (1) or SHUT_RDWR (2).</summary>
    public static Errno Shutdown(int fd, SocketShutdown how)
    {
        int native = how switch
        {
            SocketShutdown.Receive => Interop.Libc.SHUT_RD,
            SocketShutdown.Send => Interop.Libc.SHUT_WR,
            _ => Interop.Libc.SHUT_RDWR,
        };
        return Interop.Libc.Shutdown(fd, native) == 0 ? Errno.None : Errno.Last;
    }

    /// <summary>recv(2) without flags into <paramref name="buffer"/>; 0 bytes means the peer shut down its write side.</summary>
    public static SysResult Receive(int fd, Span<byte> buffer)
    {
        nint received;
        Errno error;
        fixed (byte* b = buffer)
        {
            do
            {
                received = Interop.Libc.Recv(fd, b, (nuint)buffer.Length, 0);
                error = received < 0 ? Errno.Last : Errno.None;
            }
            while (error == Errno.EINTR);
        }

        return received < 0 ? SysResult.Failed(error) : SysResult.Ok((int)received);
    }

    /// <summary>send(2) with MSG_NOSIGNAL, so a closed peer is EPIPE and not a signal.</summary>
    public static SysResult Send(int fd, ReadOnlySpan<byte> buffer)
    {
        nint sent;
        Errno error;
        fixed (byte* b = buffer)
        {
            do
            {
                sent = Interop.Libc.Send(fd, b, (nuint)buffer.Length, Interop.Libc.MSG_NOSIGNAL);
                error = sent < 0 ? Errno.Last : Errno.None;
            }
            while (error == Errno.EINTR);
        }

        return sent < 0 ? SysResult.Failed(error) : SysResult.Ok((int)sent);
    }

    /// <summary>SO_LINGER {1, 0}: the next close(2) sends RST and discards unsent data.</summary>
    public static Errno SetLingerZero(int fd)
    {
        Interop.Libc.Linger linger = new() { l_onoff = 1, l_linger = 0 };
        return Interop.Libc.SetSockOpt(fd, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_LINGER, &linger, (uint)sizeof(Interop.Libc.Linger)) == 0
            ? Errno.None
            : Errno.Last;
    }

    public static Errno SetReuseAddress(int fd, bool enabled) => SetInt(fd, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_REUSEADDR, enabled ? 1 : 0);

    public static Errno SetReusePort(int fd, bool enabled) => SetInt(fd, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_REUSEPORT, enabled ? 1 : 0);

    public static Errno SetNoDelay(int fd, bool enabled) => SetInt(fd, Interop.Libc.SOL_TCP, Interop.Libc.TCP_NODELAY, enabled ? 1 : 0);

    public static Errno GetNoDelay(int fd, out bool enabled)
    {
        Errno error = GetInt(fd, Interop.Libc.SOL_TCP, Interop.Libc.TCP_NODELAY, out int value);
        enabled = value != 0;
        return error;
    }

    public static Errno SetV6Only(int fd, bool enabled) => SetInt(fd, Interop.Libc.SOL_IPV6, Interop.Libc.IPV6_V6ONLY, enabled ? 1 : 0);

    /// <summary>SO_MARK (needs CAP_NET_ADMIN): the fwmark routing and the TPROXY mangle rules match on.</summary>
    public static Errno SetMark(int fd, int mark) => SetInt(fd, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_MARK, mark);

    /// <summary>
    /// IP_TRANSPARENT (SOL_IP 19) or IPV6_TRANSPARENT (SOL_IPV6 75): accept TPROXY'd connections on a listener, or
    /// bind an upstream socket to a non-local (the client's) address. Needs CAP_NET_ADMIN; EPERM without it.
    /// </summary>
    public static Errno SetTransparent(int fd, AddressFamily family, bool enabled) => family == AddressFamily.InterNetworkV6
        ? SetInt(fd, Interop.Libc.SOL_IPV6, Interop.Libc.IPV6_TRANSPARENT, enabled ? 1 : 0)
        : SetInt(fd, Interop.Libc.SOL_IP, Interop.Libc.IP_TRANSPARENT, enabled ? 1 : 0);

    /// <summary>IP_FREEBIND / IPV6_FREEBIND: allow binding an address that is not (yet) assigned locally.</summary>
    public static Errno SetFreeBind(int fd, AddressFamily family, bool enabled) => family == AddressFamily.InterNetworkV6
        ? SetInt(fd, Interop.Libc.SOL_IPV6, Interop.Libc.IPV6_FREEBIND, enabled ? 1 : 0)
        : SetInt(fd, Interop.Libc.SOL_IP, Interop.Libc.IP_FREEBIND, enabled ? 1 : 0);

    /// <summary>
    /// IP_BIND_ADDRESS_NO_PORT: bind(2) with port 0 reserves only the address; the port is chosen at connect(2)
    /// against the full 4-tuple, so one fixed source address (127.0.0.6) is not limited to one ephemeral range.
    /// </summary>
    public static Errno SetBindAddressNoPort(int fd, bool enabled) => SetInt(fd, Interop.Libc.SOL_IP, Interop.Libc.IP_BIND_ADDRESS_NO_PORT, enabled ? 1 : 0);

    /// <summary>
    /// SO_RCVLOWAT: epoll reports the socket readable (and the kernel wakes a waiting reader) only once this many bytes
    /// are queued, or at FIN, an error or memory pressure. Reads themselves still return what is there. 1 restores the
    /// default; lowering it wakes a waiter at once if enough is already queued.
    /// </summary>
    public static Errno SetReceiveLowWater(int fd, int bytes) => SetInt(fd, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_RCVLOWAT, bytes);

    public static Errno GetReceiveLowWater(int fd, out int bytes) => GetInt(fd, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_RCVLOWAT, out bytes);

    public static Errno GetReceiveBufferSize(int fd, out int size) => GetInt(fd, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_RCVBUF, out size);

    /// <summary>close(2), never retried (see <see cref="SafeFileDescriptor"/>).</summary>
    public static Errno Close(int fd) => Interop.Libc.Close(fd) == 0 ? Errno.None : Errno.Last;

    internal static Errno SetInt(int fd, int level, int name, int value) =>
        Interop.Libc.SetSockOpt(fd, level, name, &value, sizeof(int)) == 0 ? Errno.None : Errno.Last;

    internal static Errno GetInt(int fd, int level, int name, out int value)
    {
        int result = 0;
        uint length = sizeof(int);
        Errno error = Interop.Libc.GetSockOpt(fd, level, name, &result, &length) == 0 ? Errno.None : Errno.Last;
        value = result;
        return error;
    }
}
