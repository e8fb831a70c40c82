using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Connecting;
using Capture.Proxy.Contracts;
using Capture.Proxy.Hosting;
using Capture.Proxy.Tests.Relaying;

namespace Capture.Proxy.Tests.Connecting;

public class UpstreamSocketFactoryTests
{
    private static readonly UpstreamSocketFactory s_redirect = new(InboundMode.Redirect, 1337, IPAddress.Parse("127.0.0.6"), IPAddress.Parse("::6"));

    [Fact]
    public async Task OpenSocket_InboundRedirect_ConnectsFromPassthroughSource()
    {
        using TestServer server = new(_ => Task.CompletedTask);
        ConnectionInfo info = Info(TrafficDirection.Inbound, server.EndPoint);

        using Socket socket = s_redirect.OpenSocket(info);
        await socket.ConnectAsync(server.EndPoint).WaitAsync(EngineHarness.Bound);

        ((IPEndPoint)socket.LocalEndPoint!).Address.Should().Be(IPAddress.Parse("127.0.0.6"));
        socket.NoDelay.Should().BeTrue();
    }

    [Fact]
    public async Task OpenSocket_Outbound_IsNotBound()
    {
        using TestServer server = new(_ => Task.CompletedTask);
        ConnectionInfo info = Info(TrafficDirection.Outbound, server.EndPoint);

        using Socket socket = s_redirect.OpenSocket(info);
        await socket.ConnectAsync(server.EndPoint).WaitAsync(EngineHarness.Bound);

        ((IPEndPoint)socket.LocalEndPoint!).Address.Should().Be(IPAddress.Loopback);
    }

    [Fact]
    public async Task Open_InboundTproxy_BindsTheClientAddressOrSaysEperm()
    {
        UpstreamSocketFactory tproxy = new(InboundMode.Tproxy, 1337, IPAddress.Parse("127.0.0.6"), IPAddress.Parse("::6"));
        using TestServer server = new(_ => Task.CompletedTask);
        int before = Directory.GetFiles("/proc/self/fd").Length;

        SysResult opened = tproxy.Open(Info(TrafficDirection.Inbound, server.EndPoint));

        if (!Capabilities.HasEffective(Capabilities.CAP_NET_ADMIN))
        {
            opened.Error.Should().Be(Errno.EPERM, "IP_TRANSPARENT needs CAP_NET_ADMIN");
            Directory.GetFiles("/proc/self/fd").Length.Should().BeLessThanOrEqualTo(before, "a failed open leaves no descriptor");
            return;
        }

        opened.IsSuccess.Should().BeTrue();
        using Socket socket = new(new SafeSocketHandle(opened.Value, ownsHandle: true));
        await socket.ConnectAsync(server.EndPoint).WaitAsync(EngineHarness.Bound);
        ((IPEndPoint)socket.LocalEndPoint!).Address.Should().Be(IPAddress.Parse("127.0.0.9"), "TPROXY keeps the client's address");
    }

    private static ConnectionInfo Info(TrafficDirection direction, IPEndPoint destination) =>
        new(1, direction, NativeSocketAddress.From(new IPEndPoint(IPAddress.Parse("127.0.0.9"), 40000)), NativeSocketAddress.From(destination),
            Stopwatch.GetTimestamp());
}
