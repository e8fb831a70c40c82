using System.Net;
using Capture.NativeShims;
using Capture.Proxy.Workloads;

namespace Capture.Proxy.Tests.Workloads;

public sealed class WorkloadIndexTests
{
    private static readonly WorkloadIndex s_index = new(LocalConfigParser.Parse(SampleConfig.Yaml, "test.yaml"));

    [Fact]
    public void TryRoute_HboneWorkloadIp_TunnelsToItWithItsIdentity()
    {
        bool routed = s_index.TryRoute(Address("10.44.0.20", 9080), "cluster.local", out OutboundRoute? route);

        routed.Should().BeTrue();
        route!.Kind.Should().Be(OutboundRouteKind.Tunnel);
        route.Target.Should().Be(IPEndPoint.Parse("10.44.0.20:9080"));
        route.Workload.Name.Should().Be("reviews-v1");
        route.Service.Should().BeNull();
        route.ExpectedIdentities.Should().Equal("spiffe://cluster.local/ns/default/sa/bookinfo-reviews");
    }

    [Fact]
    public void TryRoute_HboneWorkloadIpv6_TunnelsToTheSameWorkload()
    {
        bool routed = s_index.TryRoute(Address("fd00::20", 7000), "example.org", out OutboundRoute? route);

        routed.Should().BeTrue();
        route!.Target.Should().Be(IPEndPoint.Parse("[fd00::20]:7000"));
        route.ExpectedIdentities.Should().Equal("spiffe://example.org/ns/default/sa/bookinfo-reviews");
    }

    [Theory]
    [InlineData("10.44.0.30", 8080)] // protocol TCP
    [InlineData("10.1.2.3", 80)] // not in the file
    [InlineData("10.96.0.20", 9999)] // a VIP, but not one of the service's ports
    public void TryRoute_TcpOrUnknownDestination_PassesThrough(string ip, int port)
    {
        bool routed = s_index.TryRoute(Address(ip, port), "cluster.local", out OutboundRoute? route);

        routed.Should().BeFalse();
        route.Should().BeNull();
    }

    [Fact]
    public void TryRoute_ServiceVip_PicksEveryEndpointAtRandomWithItsTargetPort()
    {
        HashSet<string> targets = [];
        for (int i = 0; i < 200; i++)
        {
            s_index.TryRoute(Address("10.96.0.20", 9080), "cluster.local", out OutboundRoute? route).Should().BeTrue();
            route!.Kind.Should().Be(OutboundRouteKind.Tunnel);
            route.Service!.Name.Should().Be("reviews");
            route.ExpectedIdentities.Should().Equal(
                "spiffe://cluster.local/ns/default/sa/bookinfo-reviews", "spiffe://cluster.local/ns/default/sa/reviews-alias");
            targets.Add(route.Target.ToString());
        }

        targets.Should().BeEquivalentTo("10.44.0.20:9080", "10.44.0.21:9081");
    }

    [Fact]
    public void TryRoute_Ipv6ServiceVip_PrefersTheEndpointsIpv6Address()
    {
        HashSet<string> targets = [];
        for (int i = 0; i < 100; i++)
        {
            s_index.TryRoute(Address("fd00:96::20", 9080), "cluster.local", out OutboundRoute? route).Should().BeTrue();
            targets.Add(route!.Target.ToString());
        }

        // reviews-v2 has no IPv6 address, so its IPv4 one is used.
        targets.Should().BeEquivalentTo("[fd00::20]:9080", "10.44.0.21:9081");
    }

    [Fact]
    public void TryRoute_ServiceVipOfTcpWorkload_DialsTheWorkloadDirectly()
    {
        bool routed = s_index.TryRoute(Address("10.96.0.30", 80), "cluster.local", out OutboundRoute? route);

        routed.Should().BeTrue();
        route!.Kind.Should().Be(OutboundRouteKind.Direct);
        route.Target.Should().Be(IPEndPoint.Parse("10.44.0.30:8080"));
    }

    [Fact]
    public void HasHbone_FileWithAndWithoutHboneWorkloads_SaysWhetherCertificatesAreNeeded()
    {
        WorkloadIndex tcpOnly = new(LocalConfigParser.Parse("workloads: [{name: a, namespace: n, workloadIps: [10.0.0.1]}]", "t.yaml"));

        s_index.HasHbone.Should().BeTrue();
        tcpOnly.HasHbone.Should().BeFalse();
        WorkloadIndex.Empty.HasHbone.Should().BeFalse();
    }

    [Fact]
    public void FindWorkload_AnyPort_ReturnsTheOwner()
    {
        s_index.FindWorkload(Address("10.44.0.21", 1))!.Name.Should().Be("reviews-v2");
        s_index.FindWorkload(Address("10.44.0.99", 1)).Should().BeNull();
    }

    [Fact]
    public void TryRoute_UnknownDestination_DoesNotAllocate()
    {
        NativeSocketAddress destination = Address("10.1.2.3", 80);
        s_index.TryRoute(destination, "cluster.local", out _);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            s_index.TryRoute(destination, "cluster.local", out _);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    private static NativeSocketAddress Address(string ip, int port) => NativeSocketAddress.From(IPAddress.Parse(ip), port);
}
