using System.Net;

namespace Capture.Init.Configuration;

/// <summary>
/// Everything capture-init was asked to do, after flags and environment are bound (argv &gt; additional env &gt;
/// primary env &gt; default, see RULES.md) and validated. Immutable; <see cref="Default"/> is istio-iptables' defaults.
/// Lists keep the order the user gave. "*" (all) is a separate flag, never an item.
/// </summary>
internal sealed partial record CaptureOptions
{
    /// <summary>istio-iptables' defaults, with no inbound capture and no outbound CIDR capture.</summary>
    public static CaptureOptions Default { get; } = new();

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

    /// <summary><c>--dual-stack</c>: with <see cref="Ipv6Mode.Auto"/>, IPv6 on if any global IPv6 address exists. Default false.</summary>
    public bool DualStack { get; init; }

    /// <summary><c>ISTIO_OUTBOUND_OWNER_GROUPS</c>: when not "*", only these groups are captured. Default all.</summary>
    public IReadOnlyList<string> OwnerGroupsInclude { get; init; } = [];

    /// <summary><c>ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE</c>: groups never captured (only when the include is "*"). Default none.</summary>
    public IReadOnlyList<string> OwnerGroupsExclude { get; init; } = [];

    /// <summary><c>ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR</c>: IPv4 loopback, mask 8–32. Default 127.0.0.1/32.</summary>
    public IPNetwork Ipv4LoopbackCidr { get; init; } = new(IPAddress.Loopback, 32);

    /// <summary><c>--ipv6 auto|true|false</c>. Default auto.</summary>
    public Ipv6Mode Ipv6Mode { get; init; } = Ipv6Mode.Auto;

    /// <summary><c>--resolv-conf</c>: where DNS servers are read from. Default /etc/resolv.conf.</summary>
    public string ResolvConfPath { get; init; } = "/etc/resolv.conf";

    /// <summary><c>-n/--dry-run</c>: print what would be applied, change nothing. Default false.</summary>
    public bool DryRun { get; init; }

    /// <summary><c>--run-validation</c>: self-test the redirect after applying. Default false.</summary>
    public bool RunValidation { get; init; }

    /// <summary><c>--skip-rule-apply</c>: apply nothing (with --run-validation). Default false.</summary>
    public bool SkipRuleApply { get; init; }

    /// <summary><c>--iptables-probe-port</c>: validation probe port. Default 15002.</summary>
    public int ProbePort { get; init; } = 15002;

    /// <summary><c>--probe-timeout</c>: validation timeout. Default 5 s.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>--reconcile</c>: on drift, guard, clean up and re-apply. Default false.</summary>
    public bool Reconcile { get; init; }

    /// <summary><c>--cleanup-only</c>: only remove what this configuration creates. Default false.</summary>
    public bool CleanupOnly { get; init; }

    /// <summary><c>--force-apply</c>: apply even when the state looks current. Default false.</summary>
    public bool ForceApply { get; init; }

    /// <summary><c>--native-nftables</c>: Istio's nftables tables, applied with one <c>nft -f -</c>, instead of iptables. Default false.</summary>
    public bool NativeNftables { get; init; }

    /// <summary><c>--force-iptables-binary</c>: "legacy" or "nft"; null = detect. Default null.</summary>
    public string? ForceIptablesBinary { get; init; }

    /// <summary><c>--network-namespace</c>: netns path every change happens in; null = the current namespace.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary><c>--lock-timeout</c>: how long to wait for another run changing the same namespace. Default 30 s.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>--log_output_level</c>, as given (e.g. "default:info"). Default "default:info".</summary>
    public string LogOutputLevel { get; init; } = "default:info";

    /// <summary><c>--log_as_json</c>. Default false.</summary>
    public bool LogAsJson { get; init; }

    /// <summary>Resolved from <see cref="Ipv6Mode"/> (and the namespace's addresses when auto) before rules are built.</summary>
    public bool Ipv6Enabled { get; init; }

    /// <summary>DNS servers read from <see cref="ResolvConfPath"/> before rules are built, in file order.</summary>
    public IReadOnlyList<IPAddress> DnsServers { get; init; } = [];
}
