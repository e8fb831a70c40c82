using System.CommandLine;

namespace Capture.Init.Cli;

/// <summary>
/// Every flag of capture-init in one catalog: istio-iptables' flags and environment variables (docs/rules.md, same names,
/// short forms, defaults) plus Capture's additions (<c>--ipv6</c>, <c>--resolv-conf</c>). Bound in one place,
/// <see cref="CaptureOptionsBinder"/>.
/// </summary>
internal static class CaptureCliOptions
{
    private const string Ports = "Capture ports";
    private const string Bypass = "Traffic that is never captured";
    private const string Inbound = "Inbound capture";
    private const string Outbound = "Outbound capture";
    private const string Dns = "DNS capture";
    private const string Addresses = "IP families";
    /// <summary>The help group of apply's flags; the few that also shape the plan are listed under another title by subcommand help.</summary>
    public const string Applying = "Applying";
    private const string Validation = "Validation (self-test after applying)";
    private const string Logging = "Logging";

    public static readonly CliFlag ProxyPort = new(Ports, "--envoy-port", "-p", "PORT", "15001", "Outbound capture port: the proxy's outbound listener.");
    public static readonly CliFlag InboundCapturePort = new(Ports, "--inbound-capture-port", "-z", "PORT", "15006", "Inbound capture port: the proxy's inbound listener.", "INBOUND_CAPTURE_PORT");
    public static readonly CliFlag InboundTunnelPort = new(Ports, "--inbound-tunnel-port", "-e", "PORT", "15008", "Tunnel (HBONE) port, never captured inbound.", "INBOUND_TUNNEL_PORT");

    public static readonly CliFlag ProxyUid = new(Bypass, "--proxy-uid", "-u", "UIDS", "uid of $ENVOY_USER (istio-proxy), else 1337", "Comma list of UIDs whose traffic bypasses capture (the proxy's own).", "PROXY_UID");
    public static readonly CliFlag ProxyGid = new(Bypass, "--proxy-gid", "-g", "GIDS", "same as --proxy-uid", "Comma list of GIDs whose traffic bypasses capture.", "PROXY_GID");
    public static readonly CliFlag ExcludeInterfaces = new(Bypass, "--istio-exclude-interfaces", "-c", "IFACES", "none", "Comma list of interfaces whose traffic is never captured.", "ISTIO_EXCLUDE_INTERFACES");

    public static readonly CliFlag InterceptionMode = new(Inbound, "--istio-inbound-interception-mode", "-m", "MODE", "REDIRECT", "REDIRECT (nat) or TPROXY (mangle, keeps the client address).", "ISTIO_INBOUND_INTERCEPTION_MODE");
    public static readonly CliFlag InboundPorts = new(Inbound, "--istio-inbound-ports", "-b", "PORTS|*", "none (no inbound capture)", "Comma list of inbound ports captured, or '*' for all.", "ISTIO_INBOUND_PORTS");
    public static readonly CliFlag LocalExcludePorts = new(Inbound, "--istio-local-exclude-ports", "-d", "PORTS", "none", "Inbound ports not captured; only used with -b '*'.", "ISTIO_LOCAL_EXCLUDE_PORTS");
    public static readonly CliFlag TProxyMark = new(Inbound, "--istio-inbound-tproxy-mark", "-t", "MARK", "1337", "TPROXY fwmark.", "ISTIO_INBOUND_TPROXY_MARK");
    public static readonly CliFlag TProxyRouteTable = new(Inbound, "--istio-inbound-tproxy-route-table", "-r", "TABLE", "133", "TPROXY policy-routing table.", "ISTIO_INBOUND_TPROXY_ROUTE_TABLE");

    public static readonly CliFlag OutboundCidrs = new(Outbound, "--istio-service-cidr", "-i", "CIDRS|*", "none (no CIDR capture)", "Comma list of outbound CIDRs captured (IPv4 and IPv6), or '*' for all.", "ISTIO_SERVICE_CIDR");
    public static readonly CliFlag OutboundExcludeCidrs = new(Outbound, "--istio-service-exclude-cidr", "-x", "CIDRS", "none", "Comma list of outbound CIDRs never captured ('*' is refused).", "ISTIO_SERVICE_EXCLUDE_CIDR");
    public static readonly CliFlag OutboundPorts = new(Outbound, "--istio-outbound-ports", "-q", "PORTS", "none", "Outbound TCP ports always captured, whatever the destination.", "ISTIO_OUTBOUND_PORTS");
    public static readonly CliFlag OutboundExcludePorts = new(Outbound, "--istio-local-outbound-ports-exclude", "-o", "PORTS", "none", "Outbound ports never captured (TCP and UDP).", "ISTIO_LOCAL_OUTBOUND_PORTS_EXCLUDE");
    public static readonly CliFlag KubeVirtInterfaces = new(Outbound, "--kube-virt-interfaces", "-k", "IFACES", "none", "Interfaces whose inbound traffic is captured as outbound (KubeVirt VMs).", "KUBE_VIRT_INTERFACES");

    public static readonly CliFlag RedirectDns = new(Dns, "--redirect-dns", null, null, "false", "Capture DNS to the resolv.conf servers to the agent on 15053.", "REDIRECT_DNS", "ISTIO_META_DNS_CAPTURE");
    public static readonly CliFlag CaptureAllDns = new(Dns, "--capture-all-dns", null, null, "false", "Capture port 53 whatever the destination.", "CAPTURE_ALL_DNS");
    public static readonly CliFlag ResolvConf = new(Dns, "--resolv-conf", null, "PATH", "/etc/resolv.conf", "Where DNS servers are read from.", "RESOLV_CONF");

    public static readonly CliFlag Ipv6 = new(Addresses, "--ipv6", null, "auto|true|false", "auto", "IPv6 rules: auto = on when the pod's first non-loopback, non-link-local address is IPv6.", "IPV6");
    public static readonly CliFlag DualStack = new(Addresses, "--dual-stack", null, null, "false", "With --ipv6 auto: IPv6 on when any global IPv6 address exists.", "DUAL_STACK", "ISTIO_DUAL_STACK");

    public static readonly CliFlag DryRun = new(Applying, "--dry-run", "-n", null, "false", "Print the iptables-restore payloads and ip commands; change nothing.", "DRY_RUN") { ApplyOnly = true };
    public static readonly CliFlag DropInvalid = new(Applying, "--drop-invalid", null, null, "false", "Drop packets conntrack marks INVALID.", "DROP_INVALID", "INVALID_DROP");
    public static readonly CliFlag SkipRuleApply = new(Applying, "--skip-rule-apply", null, null, "false", "Apply nothing (with --run-validation: only test).", "SKIP_RULE_APPLY") { ApplyOnly = true };
    public static readonly CliFlag Reconcile = new(Applying, "--reconcile", null, null, "false", "On drift from the plan: guard, clean up, apply again.", "RECONCILE") { ApplyOnly = true };
    public static readonly CliFlag CleanupOnly = new(Applying, "--cleanup-only", null, null, "false", "Only remove what this configuration creates (safe to repeat).", "CLEANUP_ONLY") { ApplyOnly = true };
    public static readonly CliFlag ForceApply = new(Applying, "--force-apply", null, null, "false", "Apply even when the rules look current.", "FORCE_APPLY") { ApplyOnly = true };
    public static readonly CliFlag NativeNftables = new(Applying, "--native-nftables", null, null, "false", "Apply Istio's nftables tables with nft instead of iptables rules.", "NATIVE_NFTABLES");
    public static readonly CliFlag ForceIptablesBinary = new(Applying, "--force-iptables-binary", null, "legacy|nft", "detect", "iptables backend to use instead of detecting one.", "FORCE_IPTABLES_BINARY");
    public static readonly CliFlag NetworkNamespace = new(Applying, "--network-namespace", null, "PATH", "current namespace", "Network namespace to work in, e.g. /var/run/netns/NAME.", "NETWORK_NAMESPACE");
    public static readonly CliFlag LockTimeout = new(Applying, "--lock-timeout", null, "DURATION", "30s", "How long to wait for another capture-init run on the same namespace to finish.", "LOCK_TIMEOUT") { ApplyOnly = true };

    public static readonly CliFlag RunValidation = new(Validation, "--run-validation", null, null, "false", "After applying, check that a connection is really redirected (exit 126 if not).", "RUN_VALIDATION") { ApplyOnly = true };
    public static readonly CliFlag ProbePort = new(Validation, "--iptables-probe-port", null, "PORT", "15002", "Port the validation probe dials.", "IPTABLES_PROBE_PORT") { ApplyOnly = true };
    public static readonly CliFlag ProbeTimeout = new(Validation, "--probe-timeout", null, "DURATION", "5s", "How long validation waits (Go duration: 5s, 500ms, 1m).", "PROBE_TIMEOUT") { ApplyOnly = true };

    public static readonly CliFlag LogOutputLevel = new(Logging, "--log_output_level", null, "LEVELS", "default:info", "Log level: debug, info, warn, error, fatal, none (Istio syntax, e.g. default:debug).");
    public static readonly CliFlag LogAsJson = new(Logging, "--log_as_json", null, null, "false", "Log JSON lines to stderr instead of text.");

    /// <summary>Every flag, in help order.</summary>
    public static IReadOnlyList<CliFlag> All { get; } =
    [
        ProxyPort, InboundCapturePort, InboundTunnelPort,
        ProxyUid, ProxyGid, ExcludeInterfaces,
        InterceptionMode, InboundPorts, LocalExcludePorts, TProxyMark, TProxyRouteTable,
        OutboundCidrs, OutboundExcludeCidrs, OutboundPorts, OutboundExcludePorts, KubeVirtInterfaces,
        RedirectDns, CaptureAllDns, ResolvConf,
        Ipv6, DualStack,
        DryRun, DropInvalid, SkipRuleApply, Reconcile, CleanupOnly, ForceApply, NativeNftables, ForceIptablesBinary, NetworkNamespace, LockTimeout,
        RunValidation, ProbePort, ProbeTimeout,
        LogOutputLevel, LogAsJson,
    ];

    /// <summary>Environment variables without a flag (docs/rules.md), for help: name, default, meaning.</summary>
    public static IReadOnlyList<(string Name, string Default, string Description)> EnvironmentOnly { get; } =
    [
        (EnvironmentNames.OwnerGroups, "*", "Groups whose outbound traffic is captured (at most 64); others bypass."),
        (EnvironmentNames.OwnerGroupsExclude, "none", "Groups whose outbound traffic bypasses capture (when the include is '*')."),
        (EnvironmentNames.Ipv4LoopbackCidr, "127.0.0.1/32", "IPv4 loopback CIDR never captured (127.0.0.0/8, mask 8-32)."),
        (EnvironmentNames.EnvoyUser, "istio-proxy", "User whose uid is the --proxy-uid default."),
    ];

    /// <summary>
    /// Adds every flag to <paramref name="command"/> (the root command; explain/diff reuse them). Subcommands get the
    /// <see cref="CliFlag.ApplyOnly"/> ones too, so that giving one is parsed and refused with a clear message by
    /// <see cref="CaptureOptionsBinder"/> rather than reported as an unknown token (and its value as a second one).
    /// </summary>
    public static void AddTo(Command command)
    {
        foreach (CliFlag flag in All)
        {
            command.Options.Add(flag.Option);
        }
    }
}
