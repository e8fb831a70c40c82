using System.Net;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Connecting;

/// <summary>
/// Creates the socket toward a connection's original destination with the source the capture rules expect, for the
/// event loop's own connect and for managed callers (the inbound HBONE server connecting to the local app): outbound
/// from any address; inbound in REDIRECT mode from 127.0.0.6 / ::6; inbound in TPROXY mode transparently from the
/// client's own address, with SO_MARK.
/// </summary>
internal sealed class UpstreamSocketFactory
{
    private readonly InboundMode _mode;
    private readonly int _tproxyMark;
    private readonly NativeSocketAddress _passthroughV4;
    private readonly NativeSocketAddress _passthroughV6;

    public UpstreamSocketFactory(InboundMode mode, int tproxyMark, IPAddress passthroughSourceV4, IPAddress passthroughSourceV6)
    {
        ArgumentNullException.ThrowIfNull(passthroughSourceV4);
        ArgumentNullException.ThrowIfNull(passthroughSourceV6);
        _mode = mode;
        _tproxyMark = tproxyMark;
        _passthroughV4 = NativeSocketAddress.From(passthroughSourceV4, 0);
        _passthroughV6 = NativeSocketAddress.From(passthroughSourceV6, 0);
    }

    /// <summary>
    /// A non-blocking TCP socket of the destination's family, with TCP_NODELAY and, for inbound connections, bound to
    /// the source the rules exempt; not connected. The error of the first step that failed otherwise (nothing left open).
    /// </summary>
    public SysResult Open(in ConnectionInfo connection)
    {
        SysResult created = Sockets.CreateTcp(connection.Destination.Family, nonBlocking: true);
        if (!created.IsSuccess)
        {
            return created;
        }

        Errno error = Configure(created.Value, connection);
        if (error != Errno.None)
        {
            Sockets.Close(created.Value);
            return SysResult.Failed(error);
        }

        return created;
    }

    /// <summary>
    /// <see cref="Open"/> as a <see cref="Socket"/> for managed async code; connect it with <see cref="Socket.ConnectAsync(EndPoint)"/>
    /// to <see cref="ConnectionInfo.DestinationEndPoint"/>. Throws <see cref="SocketException"/> with the failing errno.
    /// </summary>
    public Socket OpenSocket(in ConnectionInfo connection)
    {
        SysResult opened = Open(connection);
        if (!opened.IsSuccess)
        {
            throw new SocketException((int)opened.Error);
        }

        return new Socket(new SafeSocketHandle(opened.Value, ownsHandle: true));
    }

    private Errno Configure(int fd, in ConnectionInfo connection)
    {
        Sockets.SetNoDelay(fd, true); // latency only; not worth failing the connection over
        if (connection.Direction != TrafficDirection.Inbound)
        {
            return Errno.None;
        }

        AddressFamily family = connection.Destination.Family;
        NativeSocketAddress source;
        if (_mode == InboundMode.Tproxy)
        {
            // Keep the client's address toward the app: a transparent socket may bind a non-local address, and
            // the mark makes the mangle rules leave our own upstream traffic alone.
            Errno transparent = Sockets.SetTransparent(fd, family, true);
            if (transparent != Errno.None)
            {
                return transparent;
            }

            Errno mark = Sockets.SetMark(fd, _tproxyMark);
            if (mark != Errno.None)
            {
                return mark;
            }

            source = connection.Source.WithPort(0);
        }
        else
        {
            // 127.0.0.6 / ::6 is what `-o lo -s 127.0.0.6/32 -j RETURN` exempts: without it the connection to our
            // own pod IP is redirected back to 15006 and loops.
            source = family == AddressFamily.InterNetworkV6 ? _passthroughV6 : _passthroughV4;
        }

        Sockets.SetBindAddressNoPort(fd, true); // only an optimisation: without it bind picks the port early
        return Sockets.Bind(fd, source);
    }
}
