using System.Net;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Capture.Proxy.Listening;

namespace Capture.Proxy.Tests.Listening;

public class ListenerSocketTests
{
    [Fact]
    public void Open_TwiceOnSamePort_SharesItThroughReusePort()
    {
        using ListenerSocket first = ListenerSocket.Open(TrafficDirection.Outbound, new IPEndPoint(IPAddress.Loopback, 0), transparent: false, backlog: 16)!;

        using ListenerSocket second = ListenerSocket.Open(TrafficDirection.Outbound, first.EndPoint, transparent: false, backlog: 16)!;

        second.EndPoint.Should().Be(first.EndPoint);
    }

    [Theory]
    [InlineData(AddressFamily.InterNetwork)]
    [InlineData(AddressFamily.InterNetworkV6)]
    public void Accepted_InheritsNoDelayFromTheListener(AddressFamily family)
    {
        IPAddress loopback = family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback;
        using ListenerSocket? listener = ListenerSocket.Open(TrafficDirection.Outbound, new IPEndPoint(loopback, 0), transparent: false, backlog: 16);
        if (listener is null)
        {
            return; // no IPv6 on this host
        }

        using Socket client = new(family, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.EndPoint);
        SysResult accepted = Sockets.Accept(listener.Fd, out _);
        accepted.IsSuccess.Should().BeTrue(accepted.Error.ToString());
        using SafeFileDescriptor fd = new(accepted.Value);

        // Connections no longer set TCP_NODELAY themselves: they rely on this.
        Sockets.GetNoDelay(fd.Fd, out bool noDelay).Should().Be(Errno.None);
        noDelay.Should().BeTrue();
    }

    [Fact]
    public void Open_PortHeldWithoutReusePort_ThrowsOneLineReason()
    {
        using Socket holder = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();

        Action act = () => ListenerSocket.Open(TrafficDirection.Inbound, (IPEndPoint)holder.LocalEndPoint!, transparent: false, backlog: 16);

        act.Should().Throw<ProxyStartException>().WithMessage("inbound port * is already in use*").Which.Message.Should().NotContain("\n");
    }

    [Fact]
    public void Open_Ipv6_IsV6Only()
    {
        using ListenerSocket? listener = ListenerSocket.Open(TrafficDirection.Outbound, new IPEndPoint(IPAddress.IPv6Loopback, 0), transparent: false, backlog: 16);
        if (listener is null)
        {
            return; // no IPv6 on this host: Open reports that by returning null, which is what the engine relies on
        }

        using Socket v4 = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        v4.Bind(new IPEndPoint(IPAddress.Any, listener.EndPoint.Port)); // would fail with EADDRINUSE on a dual-stack socket

        v4.LocalEndPoint.Should().NotBeNull();
    }
}
