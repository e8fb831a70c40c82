using System.Net.Sockets;
using System.Net;
using Capture.Init.Configuration;
using Capture.Init.Values;

namespace Capture.Init.Rules;

/// <summary>
/// Turns validated <see cref="RuleOptions"/> and the <see cref="HostFacts"/> found at start into the rule plan of
/// docs/rules.md, steps 1–17 in generation order. Pure: nothing is read or run here.
/// </summary>
internal sealed partial class CaptureRuleBuilder
{
    /// <summary>The istio-agent DNS listener DNS is redirected to.</summary>
    public const int DnsProxyPort = 15053;

    /// <summary>The DNS port.</summary>
    public const int DnsPort = 53;

    /// <summary>Mark put on the proxy's own loopback traffic in TPROXY mode (Istio's OutboundMark), so it is not re-captured.</summary>
    public const uint OutboundMark = 1338;

    /// <summary>conntrack zone for DNS between the agent (proxy UID/GID) and the upstream servers.</summary>
    public const int DnsUpstreamZone = 1;

    /// <summary>conntrack zone for DNS between the application and the agent.</summary>
    public const int DnsApplicationZone = 2;

    /// <summary>The proxy's inbound-passthrough source, IPv4.</summary>
    public static readonly IPNetwork Ipv4Passthrough = new(new IPAddress([127, 0, 0, 6]), 32);

    /// <summary>The proxy's inbound-passthrough source, IPv6 (added to lo when IPv6 is on).</summary>
    /// <remarks>Built on first use: an IPv6 IPNetwork's constructor runs UInt128 code the JIT compiles, which an IPv4-only run never needs.</remarks>
    public static IPNetwork Ipv6Passthrough => Ipv6Networks.Passthrough;

    /// <summary>IPv6 loopback, the IPv6 counterpart of the configurable IPv4 loopback CIDR.</summary>
    public static IPNetwork Ipv6Loopback => Ipv6Networks.Loopback;

    /// <summary>Builds the plan. Throws <see cref="CaptureException"/> only for values validation should have refused.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static",
        Justification = "An instance API (new CaptureRuleBuilder().Build(options, host)) keeps callers free to inject a builder.")]
    public RuleSet Build(RuleOptions options, HostFacts host)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(host);
        return new Plan(options, host).Build();
    }

    /// <summary>One build: the options, the per-family lists being filled, and the helpers that add to them.</summary>
    private sealed partial class Plan
    {
        private readonly RuleOptions _options;
        private readonly HostFacts _host;
        private readonly bool _ipv6;
        private readonly bool _tproxy;
        private readonly uint _tproxyMark;
        private readonly List<Rule> _ipv4 = new(64);
        private readonly List<Rule> _ipv6Rules = new(64);
        private readonly List<RouteCommand> _routes = [];
        private readonly List<string> _warnings = [];

        // Step 1: CIDRs and DNS servers split by family.
        private readonly List<IPNetwork> _includeV4 = [];
        private readonly List<IPNetwork> _includeV6 = [];
        private readonly List<IPNetwork> _excludeV4 = [];
        private readonly List<IPNetwork> _excludeV6 = [];
        private readonly List<IPNetwork> _dnsV4 = [];
        private readonly List<IPNetwork> _dnsV6 = [];
        private bool _redirectDns;

        public Plan(RuleOptions options, HostFacts host)
        {
            _options = options;
            _host = host;
            _ipv6 = host.Ipv6Enabled;
            _tproxy = options.InterceptionMode == InterceptionMode.TProxy;
            if (!MarkText.TryParse(options.TProxyMark, out _tproxyMark))
            {
                throw new CaptureException($"--istio-inbound-tproxy-mark: '{options.TProxyMark}' is not a 32-bit number");
            }
        }

        public RuleSet Build()
        {
            SplitByFamily();                // 1
            ExcludeInterfaces();            // 2
            KubeVirtInterfacesReturn();     // 3
            DropInvalid();                  // 4
            CommonChains();                 // 5
            Inbound();                      // 6
            OutputJump();                   // 7
            OutboundExcludedPorts();        // 8
            InboundPassthrough();           // 9
            ProxyOwners(OwnerKind.Uid, _options.ProxyUids);  // 10
            ProxyOwners(OwnerKind.Gid, _options.ProxyGids);  // 11
            OwnerGroups();                  // 12
            Dns();                          // 13
            OutboundExcludedCidrs();        // 14
            OutboundPorts();                // 15
            OutboundInclude();              // 16
            TProxyMarks();                  // 17
            Routing();                      // 17, routing

            return new RuleSet(_ipv4, _ipv6 ? _ipv6Rules : [], _ipv6, _routes, _warnings, _host);
        }

        private void SplitByFamily()
        {
            Split(_options.OutboundCidrs, _includeV4, _includeV6);
            Split(_options.OutboundExcludeCidrs, _excludeV4, _excludeV6);
            foreach (IPAddress server in _host.DnsServers)
            {
                if (server.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    _dnsV6.Add(new IPNetwork(server, 128));
                }
                else
                {
                    _dnsV4.Add(new IPNetwork(server, 32));
                }
            }

            _redirectDns = _options.RedirectDns;
            if (_redirectDns && !_options.CaptureAllDns && _host.DnsServers.Count == 0)
            {
                _redirectDns = false;
                _warnings.Add(
                    $"DNS capture is off: --redirect-dns is set, but --capture-all-dns is not and {_host.ResolvConfPath} lists no nameserver.");
            }

            static void Split(IReadOnlyList<IPNetwork> all, List<IPNetwork> v4, List<IPNetwork> v6)
            {
                for (int i = 0; i < all.Count; i++) // indexed: see RuleOptions.CheckPorts
                {
                    (all[i].BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : v4).Add(all[i]);
                }
            }
        }
    }

    /// <summary>The IPv6 constants, in a class of their own so that only a run with IPv6 on initialises them.</summary>
    private static class Ipv6Networks
    {
        public static readonly IPNetwork Passthrough = new(new IPAddress([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6]), 128);

        public static readonly IPNetwork Loopback = new(IPAddress.IPv6Loopback, 128);
    }
}
