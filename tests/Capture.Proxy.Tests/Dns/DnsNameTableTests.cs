using System.Net;
using Capture.Proxy.Dns;
using Capture.Proxy.Workloads;

namespace Capture.Proxy.Tests.Dns;

public sealed class DnsNameTableTests
{
    private static readonly LocalConfig s_config = LocalConfigParser.Parse("""
        services:
        - name: reviews
          namespace: default
          hostname: reviews.default.svc.cluster.local
          vips: ["/10.96.0.20", "/fd00:96::20"]
          ports: {9080: 9080}
        - name: ratings
          namespace: other
          hostname: ratings.other.svc.cluster.local
          vips: ["/10.96.0.30"]
          ports: {9080: 9080}
        - name: external
          namespace: default
          hostname: api.example.com
          vips: ["/240.240.0.1"]
          ports: {443: 443}
        """, "/test/workloads.yaml");

    [Theory]
    [InlineData("reviews.default.svc.cluster.local")]
    [InlineData("reviews.default.svc")]
    [InlineData("reviews.default")]
    [InlineData("reviews")]
    public void TryLookup_KubernetesShortForms_AnswerTheVips(string name)
    {
        DnsNameTable table = new(s_config, "default");

        table.TryLookup(name, DnsWire.TypeA, out IReadOnlyList<IPAddress> v4).Should().BeTrue();
        v4.Should().Equal(IPAddress.Parse("10.96.0.20"));
        table.TryLookup(name, DnsWire.TypeAaaa, out IReadOnlyList<IPAddress> v6).Should().BeTrue();
        v6.Should().Equal(IPAddress.Parse("fd00:96::20"));
    }

    [Fact]
    public void TryLookup_BareNameOfAnotherNamespace_Unknown()
    {
        DnsNameTable table = new(s_config, "default");

        table.TryLookup("ratings", DnsWire.TypeA, out _).Should().BeFalse("only the pod's own namespace answers bare names");
        table.TryLookup("ratings.other", DnsWire.TypeA, out _).Should().BeTrue();
    }

    [Fact]
    public void TryLookup_KnownNameWithoutTheFamily_KnownWithNoAddresses()
    {
        DnsNameTable table = new(s_config, "default");

        table.TryLookup("ratings.other.svc.cluster.local", DnsWire.TypeAaaa, out IReadOnlyList<IPAddress> v6).Should().BeTrue();
        v6.Should().BeEmpty();
    }

    [Fact]
    public void TryLookup_NonKubernetesHostname_OnlyTheFullName()
    {
        DnsNameTable table = new(s_config, "default");

        table.TryLookup("api.example.com", DnsWire.TypeA, out _).Should().BeTrue();
        table.TryLookup("api.example", DnsWire.TypeA, out _).Should().BeFalse();
        table.TryLookup("api", DnsWire.TypeA, out _).Should().BeFalse();
    }

    [Fact]
    public void ResolvConf_Parse_NameserversInOrderAndNamespaceFromSearch()
    {
        ResolvConf conf = ResolvConf.Parse("""
            # generated
            search prod.svc.cluster.local svc.cluster.local cluster.local
            nameserver 10.96.0.10
            nameserver fd00::10
            nameserver not-an-ip
            options ndots:5
            """);

        conf.Nameservers.Should().Equal(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 53), new IPEndPoint(IPAddress.Parse("fd00::10"), 53));
        conf.Namespace.Should().Be("prod");
        conf.HasIpv6Nameserver.Should().BeTrue();
    }
}
