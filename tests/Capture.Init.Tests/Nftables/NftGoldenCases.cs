using System.Net;
using Capture.Init.Configuration;

namespace Capture.Init.Tests.Nftables;

/// <summary>
/// NFTABLES.md's table of Istio's 28 nftables goldens. The base is Istio's constructTestConfig (-p 15001 -z 15006
/// -e 15008 -u 1337 -g 1337 -t 1337 -r 133, owner groups "*", loopback 127.0.0.1/32, REDIRECT, no -b, no -i, IPv6 off),
/// which is <see cref="RuleOptions.Default"/> and <see cref="HostFacts.None"/>.
/// </summary>
public static class NftGoldenCases
{
    private static readonly RuleOptions s_base = RuleOptions.Default;
    private static readonly IPAddress s_stubResolver = IPAddress.Parse("127.0.0.53");
    private static readonly IPAddress s_stubResolverV6 = IPAddress.Parse("::127.0.0.53");

    public static IReadOnlyList<NftGoldenCase> All { get; } =
    [
        new("ipv6-empty-inbound-ports", 23, "nat", 0) { Options = s_base, Host = HostFacts.None with { Ipv6Enabled = true } },
        new("ip-range", 49, "nat raw", 0)
        {
            Options = s_base with
            {
                OutboundExcludeCidrs = [Cidr("1.1.0.0/16")],
                OutboundCidrs = [Cidr("9.9.0.0/16")],
                RedirectDns = true,
                ProxyGids = ["1", "2"],
                ProxyUids = ["3", "4"],
            },
            Host = HostFacts.None with { DnsServers = [s_stubResolver] },
        },
        new("tproxy", 73, "nat mangle raw", 4)
        {
            Options = s_base with
            {
                InterceptionMode = InterceptionMode.TProxy,
                InboundAllPorts = true,
                OutboundExcludeCidrs = [Cidr("1.1.0.0/16")],
                OutboundCidrs = [Cidr("9.9.0.0/16")],
                RedirectDns = true,
                ExcludeInterfaces = ["not-istio-nic"],
            },
            Host = HostFacts.None with { Ipv6Enabled = true, DnsServers = [s_stubResolver] },
        },
        new("ipv6-inbound-ports", 27, "nat", 0) { Options = s_base with { InboundPorts = [4000, 5000] }, Host = HostFacts.None with { Ipv6Enabled = true } },
        new("ipv6-virt-interfaces", 29, "nat", 1)
        {
            Options = s_base with { InboundPorts = [4000, 5000], KubeVirtInterfaces = ["eth0", "eth1"] }, Host = HostFacts.None with { Ipv6Enabled = true },
        },
        new("ipv6-ipnets", 33, "nat", 3)
        {
            Options = s_base with
            {
                InboundPorts = [4000, 5000],
                LocalExcludePorts = [6000, 7000],
                KubeVirtInterfaces = ["eth0", "eth1"],
                OutboundExcludeCidrs = [Cidr("2001:db8::/32")],
                OutboundCidrs = [Cidr("2001:db8::/32")],
            },
            Host = HostFacts.None with { Ipv6Enabled = true },
        },
        new("ipv6-uid-gid", 41, "nat", 3)
        {
            Options = s_base with
            {
                InboundPorts = [4000, 5000],
                LocalExcludePorts = [6000, 7000],
                KubeVirtInterfaces = ["eth0", "eth1"],
                ProxyGids = ["1", "2"],
                ProxyUids = ["3", "4"],
                OutboundExcludeCidrs = [Cidr("2001:db8::/32")],
                OutboundCidrs = [Cidr("2001:db8::/32")],
            },
            Host = HostFacts.None with { Ipv6Enabled = true },
        },
        new("ipv6-outbound-ports", 25, "nat", 0) { Options = s_base with { OutboundPorts = [32000, 31000] }, Host = HostFacts.None with { Ipv6Enabled = true } },
        new("empty", 19, "nat", 0) { Options = s_base },
        new("kube-virt-interfaces", 25, "nat", 3) { Options = s_base with { KubeVirtInterfaces = ["eth1", "eth2"], OutboundAllCidrs = true } },
        new("ipnets", 20, "nat", 0) { Options = s_base with { OutboundCidrs = [Cidr("10.0.0.0/8")] } },
        new("ipnets-with-kube-virt-interfaces", 25, "nat", 3)
        {
            Options = s_base with { KubeVirtInterfaces = ["eth1", "eth2"], OutboundCidrs = [Cidr("10.0.0.0/8")] },
        },
        new("inbound-ports-include", 23, "nat", 0) { Options = s_base with { InboundPorts = [32000, 31000] } },
        new("inbound-ports-wildcard", 22, "nat", 0) { Options = s_base with { InboundAllPorts = true } },
        new("inbound-ports-tproxy", 42, "nat mangle", 3)
        {
            Options = s_base with { InboundPorts = [32000, 31000], InterceptionMode = InterceptionMode.TProxy },
        },
        new("inbound-ports-wildcard-tproxy", 40, "nat mangle", 3)
        {
            Options = s_base with { InboundAllPorts = true, InterceptionMode = InterceptionMode.TProxy },
        },
        new("inbound-ports-empty-tproxy", 32, "nat mangle", 0) { Options = s_base with { InterceptionMode = InterceptionMode.TProxy } },
        new("dns-uid-gid", 57, "nat raw", 0)
        {
            Options = s_base with
            {
                RedirectDns = true,
                ProxyGids = ["1", "2"],
                ProxyUids = ["3", "4"],
            },
            Host = HostFacts.None with { Ipv6Enabled = true, DnsServers = [s_stubResolver, s_stubResolverV6] },
        },
        new("ipv6-dns-uid-gid", 31, "nat", 0)
        {
            Options = s_base with { RedirectDns = true, ProxyGids = ["1", "2"], ProxyUids = ["3", "4"] }, Host = HostFacts.None with { Ipv6Enabled = true },
        },
        new("outbound-owner-groups", 20, "nat", 0) { Options = s_base with { OwnerGroupsInclude = ["java", "202"] } },
        new("outbound-owner-groups-exclude", 21, "nat", 0) { Options = s_base with { OwnerGroupsExclude = ["888", "ftp"] } },
        new("ipv6-dns-outbound-owner-groups", 24, "nat", 0)
        {
            Options = s_base with { RedirectDns = true, OwnerGroupsInclude = ["java", "202"] }, Host = HostFacts.None with { Ipv6Enabled = true },
        },
        new("ipv6-dns-outbound-owner-groups-exclude", 25, "nat", 0)
        {
            Options = s_base with { RedirectDns = true, OwnerGroupsExclude = ["888", "ftp"] }, Host = HostFacts.None with { Ipv6Enabled = true },
        },
        new("outbound-ports-include", 21, "nat", 0) { Options = s_base with { OutboundPorts = [32000, 31000] } },
        new("loopback-outbound-iprange", 44, "nat raw", 0)
        {
            Options = s_base with
            {
                OutboundCidrs = [Cidr("127.1.2.3/32")],
                RedirectDns = true,
                ProxyGids = ["1", "2"],
                ProxyUids = ["3", "4"],
            },
            Host = HostFacts.None with { DnsServers = [s_stubResolver] },
        },
        new("basic-exclude-nic", 22, "nat", 0) { Options = s_base with { ExcludeInterfaces = ["not-istio-nic"] } },
        new("drop-invalid", 25, "nat mangle", 0) { Options = s_base with { DropInvalid = true } },
        new("host-ipv4-loopback-cidr", 19, "nat", 0) { Options = s_base with { Ipv4LoopbackCidr = Cidr("127.0.0.0/8"), Ipv4LoopbackCidrText = "127.0.0.1/8" } },
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (NftGoldenCase golden in All)
        {
            data.Add(golden.Name);
        }

        return data;
    }

    public static NftGoldenCase Get(string name) => All.Single(c => c.Name == name);

    private static IPNetwork Cidr(string text) => IPNetwork.Parse(text);
}
