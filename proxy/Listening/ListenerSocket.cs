using System.Net;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Listening;

/// <summary>One non-blocking SO_REUSEPORT listening socket owned by one event loop.</summary>
internal sealed class ListenerSocket : IDisposable
{
    private int _fd;

    private ListenerSocket(int fd, TrafficDirection direction, AddressFamily family, IPEndPoint endPoint)
    {
        _fd = fd;
        Direction = direction;
        Family = family;
        EndPoint = endPoint;
    }

    public int Fd => _fd;

    public TrafficDirection Direction { get; }

    public AddressFamily Family { get; }

    public IPEndPoint EndPoint { get; }

    public bool IsOpen => _fd >= 0;

    /// <summary>
    /// socket, SO_REUSEADDR, SO_REUSEPORT, IPV6_V6ONLY (so the IPv4 listener keeps IPv4 and SO_ORIGINAL_DST is asked of
    /// the right family), IP_TRANSPARENT for TPROXY, bind, listen. Throws <see cref="ProxyStartException"/> with a
    /// one-line reason; returns null when IPv6 is not available on this host.
    /// </summary>
    public static ListenerSocket? Open(TrafficDirection direction, IPEndPoint endPoint, bool transparent, int backlog)
    {
        AddressFamily family = endPoint.AddressFamily;
        SysResult created = Sockets.CreateTcp(family, nonBlocking: true);
        if (!created.IsSuccess)
        {
            if (family == AddressFamily.InterNetworkV6 && created.Error == Errno.EAFNOSUPPORT)
            {
                return null;
            }

            throw new ProxyStartException($"cannot create the {Name(direction)} listener socket for {endPoint}: {created.Error}");
        }

        int fd = created.Value;
        try
        {
            Check(Sockets.SetReuseAddress(fd, true), direction, endPoint, "SO_REUSEADDR");
            Check(Sockets.SetReusePort(fd, true), direction, endPoint, "SO_REUSEPORT");
            // Accepted sockets inherit TCP_NODELAY from their listener: set once here, not once per connection. A proxy
            // must not add Nagle delay to what it forwards; failure only costs latency.
            Sockets.SetNoDelay(fd, true);
            if (family == AddressFamily.InterNetworkV6)
            {
                Check(Sockets.SetV6Only(fd, true), direction, endPoint, "IPV6_V6ONLY");
            }

            if (transparent)
            {
                Errno error = Sockets.SetTransparent(fd, family, true);
                if (error == Errno.EPERM)
                {
                    throw new ProxyStartException(
                        $"TPROXY inbound mode needs CAP_NET_ADMIN: setsockopt({(family == AddressFamily.InterNetworkV6 ? "IPV6_TRANSPARENT" : "IP_TRANSPARENT")}) on {endPoint} failed with EPERM; grant NET_ADMIN or use REDIRECT mode");
                }

                Check(error, direction, endPoint, "IP_TRANSPARENT");
            }

            Errno bound = Sockets.Bind(fd, NativeSocketAddress.From(endPoint));
            if (bound == Errno.EADDRNOTAVAIL && family == AddressFamily.InterNetworkV6 && endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                Sockets.Close(fd);
                return null; // IPv6 disabled on this host (net.ipv6.conf.all.disable_ipv6)
            }

            if (bound == Errno.EADDRINUSE)
            {
                throw new ProxyStartException($"{Name(direction)} port {endPoint.Port} on {endPoint.Address} is already in use by a socket without SO_REUSEPORT or another user");
            }

            Check(bound, direction, endPoint, "bind");
            Check(Sockets.Listen(fd, backlog), direction, endPoint, "listen");
            Check(Sockets.GetLocalAddress(fd, out NativeSocketAddress local), direction, endPoint, "getsockname");
            return new ListenerSocket(fd, direction, family, local.ToIPEndPoint());
        }
        catch
        {
            Sockets.Close(fd);
            throw;
        }
    }

    /// <summary>Closing the listener makes the kernel reset connections still in its accept queue: used to stop accepting on drain.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Sockets.Close(fd); // nothing to do about a close error on a listener we are discarding
        }
    }

    private static string Name(TrafficDirection direction) => direction == TrafficDirection.Outbound ? "outbound" : "inbound";

    private static void Check(Errno error, TrafficDirection direction, IPEndPoint endPoint, string call)
    {
        if (error != Errno.None)
        {
            throw new ProxyStartException($"{Name(direction)} listener on {endPoint}: {call} failed with {error}");
        }
    }
}
