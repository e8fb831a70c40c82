using System.Net;
using Capture.Init.Configuration;

namespace Capture.Integration.Tests.Explain;

/// <summary>A named set of capture flags (the <see cref="RuleOptions"/> the CLI binds them into) and the host facts the rules are built with.</summary>
internal sealed record ExplainConfiguration(string Name, RuleOptions Rules, HostFacts Host)
{
    public ExplainConfiguration(string name, RuleOptions rules)
        : this(name, rules, HostFacts.None)
    {
    }

    public static readonly IPAddress DnsV4 = IPAddress.Parse("192.0.2.53");
    public static readonly IPAddress DnsV6 = IPAddress.Parse("fd01::53");
    public static readonly IPNetwork ExcludedV4 = IPNetwork.Parse("198.51.100.0/24");
    public static readonly IPNetwork IncludedV4 = IPNetwork.Parse("203.0.113.0/24");

    // istio-init's defaults: -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x "" -b '*' -d 15090,15021,15020
    private static readonly RuleOptions s_istioInit = RuleOptions.Default with
    {
        OutboundAllCidrs = true,
        InboundAllPorts = true,
        LocalExcludePorts = [15090, 15021, 15020],
    };

    /// <summary>Together they use every flag and env of docs/rules.md that changes rules.</summary>
    public static IReadOnlyList<ExplainConfiguration> All { get; } =
    [
        new("istio-init defaults", s_istioInit),
        new("istio-init defaults, IPv6", s_istioInit, HostFacts.None with { Ipv6Enabled = true }),
        new("TPROXY -b *", s_istioInit with { InterceptionMode = InterceptionMode.TProxy }),
        new("TPROXY -b 9080,8080, IPv6", s_istioInit with { InterceptionMode = InterceptionMode.TProxy, InboundAllPorts = false, InboundPorts = [9080, 8080] }, HostFacts.None with { Ipv6Enabled = true }),
        new("-b 9080,15090 port list", s_istioInit with { InboundAllPorts = false, InboundPorts = [9080, 15090] }),
        new("-b empty", s_istioInit with { InboundAllPorts = false, LocalExcludePorts = [] }),
        new("-i CIDR only", s_istioInit with { OutboundAllCidrs = false, OutboundCidrs = [IncludedV4] }),
        new("-x CIDR", s_istioInit with { OutboundExcludeCidrs = [ExcludedV4] }, HostFacts.None with { Ipv6Enabled = true }),
        new("-q 3306 without -i", s_istioInit with { OutboundAllCidrs = false, OutboundPorts = [3306] }),
        new("-o 9090", s_istioInit with { OutboundExcludePorts = [9090] }),
        new("-c eth1", s_istioInit with { ExcludeInterfaces = ["eth1"] }),
        new("-c eth1, TPROXY", s_istioInit with { ExcludeInterfaces = ["eth1"], InterceptionMode = InterceptionMode.TProxy }),
        new("-k eth1 -i *", s_istioInit with { KubeVirtInterfaces = ["eth1"] }),
        new("-k eth1 -i CIDR", s_istioInit with { KubeVirtInterfaces = ["eth1"], OutboundAllCidrs = false, OutboundCidrs = [IncludedV4, IPNetwork.Parse("172.16.0.0/12")] }),
        new("-u 1337,2000 -g 1337,2500", s_istioInit with { ProxyUids = ["1337", "2000"], ProxyGids = ["1337", "2500"] }),
        new("owner groups 3000,2500", s_istioInit with { OwnerGroupsInclude = ["3000", "2500"] }),
        new("owner groups exclude 3000", s_istioInit with { OwnerGroupsExclude = ["3000"] }),
        new("DNS with a server", s_istioInit with { RedirectDns = true }, HostFacts.None with { DnsServers = [DnsV4] }),
        new("DNS with servers, IPv6", s_istioInit with { RedirectDns = true }, HostFacts.None with { DnsServers = [DnsV4, DnsV6], Ipv6Enabled = true }),
        new("DNS capture-all", s_istioInit with { RedirectDns = true, CaptureAllDns = true }, HostFacts.None with { DnsServers = [DnsV4] }),
        new("DNS, TPROXY, IPv6, drop-invalid", s_istioInit with { RedirectDns = true, InterceptionMode = InterceptionMode.TProxy, DropInvalid = true }, HostFacts.None with { DnsServers = [DnsV4, DnsV6], Ipv6Enabled = true }),
        new("drop-invalid", s_istioInit with { DropInvalid = true }),
        new("loopback CIDR 127.0.0.0/8", s_istioInit with { Ipv4LoopbackCidr = IPNetwork.Parse("127.0.0.0/8") }),
        new("-i with a loopback CIDR", s_istioInit with { OutboundAllCidrs = false, OutboundCidrs = [IPNetwork.Parse("127.0.0.0/8"), IncludedV4] }),
        new("custom ports -p 15011 -z 15016 -e 15010", s_istioInit with { ProxyPort = 15011, InboundCapturePort = 15016, InboundTunnelPort = 15010 }, HostFacts.None with { Ipv6Enabled = true }),
        new("-b * -d 8080 -m TPROXY -t 1400 -r 140", s_istioInit with { InterceptionMode = InterceptionMode.TProxy, LocalExcludePorts = [8080], TProxyMark = "1400", TProxyRouteTable = "140" }),
    ];

    public override string ToString() => Name;
}
