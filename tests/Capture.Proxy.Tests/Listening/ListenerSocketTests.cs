using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Engine;
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
