using System.Net;

namespace Capture.Init.Configuration;

/// <summary>
/// What the rules are made of: the capture flags and environment of istio-iptables, bound (argv &gt; additional env &gt;
/// primary env &gt; default) and validated. With the <see cref="HostFacts"/> found at start, this is all
/// <c>CaptureRuleBuilder</c> reads. Immutable; <see cref="Default"/> is istio-iptables' defaults. Lists keep the order
/// the user gave. "*" (all) is a separate flag, never an item.
/// </summary>
internal sealed partial record RuleOptions
{
    /// <summary>istio-iptables' defaults, with no inbound capture and no outbound CIDR capture.</summary>
    public static RuleOptions Default { get; } = new();

    /// <summary><c>-p/--envoy-port</c>: outbound capture port. Default 15001.</summary>
    public int ProxyPort { get; init; } = 15001;

    /// <summary><c>-z/--inbound-capture-port</c>: inbound capture port. Default 15006.</summary>
    public int InboundCapturePort { get; init; } = 15006;

    /// <summary><c>-e/--inbound-tunnel-port</c>: never captured inbound. Default 15008.</summary>
    public int InboundTunnelPort { get; init; } = 15008;

    /// <summary><c>-u/--proxy-uid</c>: UIDs whose traffic bypasses capture, as given (numbers). Default the uid of $ENVOY_USER, else 1337.</summary>
    public IReadOnlyList<string> ProxyUids { get; init; } = ["1337"];

    /// <summary><c>-g/--proxy-gid</c>: GIDs whose traffic bypasses capture. Default: the same as <see cref="ProxyUids"/>.</summary>
    public IReadOnlyList<string> ProxyGids { get; init; } = ["1337"];

    /// <summary><c>-m</c>: REDIRECT (default) or TPROXY.</summary>
    public InterceptionMode InterceptionMode { get; init; } = InterceptionMode.Redirect;

    /// <summary><c>-b '*'</c>: capture every inbound port (minus <see cref="LocalExcludePorts"/>).</summary>
    public bool InboundAllPorts { get; init; }

    /// <summary><c>-b</c> as a list: inbound ports captured. Empty and not <see cref="InboundAllPorts"/>: no inbound capture (default).</summary>
    public IReadOnlyList<int> InboundPorts { get; init; } = [];

    /// <summary><c>-d</c>: inbound ports not captured; only used with <c>-b '*'</c>. Default none.</summary>
    public IReadOnlyList<int> LocalExcludePorts { get; init; } = [];

    /// <summary><c>-c</c>: interfaces fully bypassed. Default none.</summary>
    public IReadOnlyList<string> ExcludeInterfaces { get; init; } = [];

    /// <summary><c>-i '*'</c>: capture all outbound destinations.</summary>
    public bool OutboundAllCidrs { get; init; }

    /// <summary><c>-i</c> as a list: outbound CIDRs captured, both families. Default none (no CIDR capture).</summary>
    public IReadOnlyList<IPNetwork> OutboundCidrs { get; init; } = [];

    /// <summary><c>-x</c>: outbound CIDRs excluded, both families. <c>*</c> is refused. Default none.</summary>
    public IReadOnlyList<IPNetwork> OutboundExcludeCidrs { get; init; } = [];

    /// <summary><c>-q</c>: outbound TCP ports always captured. Default none.</summary>
    public IReadOnlyList<int> OutboundPorts { get; init; } = [];

    /// <summary><c>-o</c>: outbound ports excluded (tcp and udp). Default none.</summary>
    public IReadOnlyList<int> OutboundExcludePorts { get; init; } = [];

    /// <summary><c>-k</c>: interfaces whose inbound traffic is treated as outbound. Default none.</summary>
    public IReadOnlyList<string> KubeVirtInterfaces { get; init; } = [];

    /// <summary><c>-t</c>: TPROXY fwmark, as given. Default "1337".</summary>
    public string TProxyMark { get; init; } = "1337";

    /// <summary><c>-r</c>: TPROXY policy-routing table, as given. Default "133".</summary>
    public string TProxyRouteTable { get; init; } = "133";

    /// <summary><c>--redirect-dns</c>: capture DNS to 15053. Default false.</summary>
    public bool RedirectDns { get; init; }

    /// <summary><c>--capture-all-dns</c>: capture port 53 whatever the destination. Default false.</summary>
    public bool CaptureAllDns { get; init; }

    /// <summary><c>--drop-invalid</c>: drop conntrack-INVALID packets. Default false.</summary>
    public bool DropInvalid { get; init; }

    /// <summary><c>ISTIO_OUTBOUND_OWNER_GROUPS</c>: when not "*", only these groups are captured. Default all.</summary>
    public IReadOnlyList<string> OwnerGroupsInclude { get; init; } = [];

    /// <summary><c>ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE</c>: groups never captured (only when the include is "*"). Default none.</summary>
    public IReadOnlyList<string> OwnerGroupsExclude { get; init; } = [];

    /// <summary><c>ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR</c>: IPv4 loopback, mask 8–32. Default 127.0.0.1/32.</summary>
    public IPNetwork Ipv4LoopbackCidr { get; init; } = new(IPAddress.Loopback, 32);

    /// <summary><see cref="Ipv4LoopbackCidr"/> as the user wrote it (<c>127.0.0.1/8</c>), which Istio's nft rules print verbatim; null = not given.</summary>
    public string? Ipv4LoopbackCidrText { get; init; }
}
