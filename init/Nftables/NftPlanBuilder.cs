using System.Net;
using System.Net.Sockets;
using Capture.Init.Configuration;
using Capture.Init.Rules;
using Capture.Init.Values;

namespace Capture.Init.Nftables;

/// <summary>
/// Turns validated <see cref="RuleOptions"/> and the <see cref="HostFacts"/> found at start into Istio's nftables plan (NFTABLES.md 1.4, steps 1–17 in
/// generation order). The steps are the iptables plan's (<see cref="CaptureRuleBuilder"/>), but the nft plan has its
/// own shape where Istio's nft code differs: one <c>inet</c> table per iptables table, an IPv6 rule right after its
/// IPv4 twin, <c>counter</c> on every rule, <c>meta l4proto tcp</c> where nft needs the protocol (and not on the
/// <c>-q</c> rules), one jump to the DNS chain for both families, and inserts at 0-based indexes. Routing changes and
/// warnings are taken from the iptables plan, which computes them the same way.
/// </summary>
internal sealed partial class NftPlanBuilder
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static",
        Justification = "An instance API, as CaptureRuleBuilder's.")]
    public NftPlan Build(RuleOptions options, HostFacts host)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(host);
        RuleSet iptables = new CaptureRuleBuilder().Build(options, host);
        return new NftPlan(new Steps(options, host).Build(), iptables.RouteCommands, iptables.Warnings);
    }

    /// <summary>One build: the options and the rule list being filled.</summary>
    private sealed partial class Steps
    {
        private static readonly NftMatch s_tcp = new(NftField.L4Proto, NftValues.Tcp);
        private static readonly NftMatch s_oifLo = new(NftField.OifName, NftValues.Loopback);
        private static readonly NftMatch s_iifLo = new(NftField.IifName, NftValues.Loopback);
        private static readonly NftStatement[] s_return = [NftStatement.Counter, NftStatement.Return];

        private readonly RuleOptions _options;
        private readonly bool _ipv6;
        private readonly bool _tproxy;
        private readonly NftValue _mark;
        private readonly uint _markValue;
        private readonly NftValue _loopbackV4;
        private readonly NftValue _loopbackV6 = NftValues.Network("::1/128", new IPNetwork(IPAddress.IPv6Loopback, 128));
        private readonly List<NftRule> _rules = new(64);
        private readonly List<IPNetwork> _includeV4 = [];
        private readonly List<IPNetwork> _includeV6 = [];
        private readonly List<IPNetwork> _excludeV4 = [];
        private readonly List<IPNetwork> _excludeV6 = [];
        private readonly List<IPAddress> _dnsV4 = [];
        private readonly List<IPAddress> _dnsV6 = [];
        private readonly bool _dns;

        public Steps(RuleOptions options, HostFacts host)
        {
            _options = options;
            _ipv6 = host.Ipv6Enabled;
            _tproxy = options.InterceptionMode == InterceptionMode.TProxy;
            if (!MarkText.TryParse(options.TProxyMark, out _markValue))
            {
                throw new CaptureException($"--istio-inbound-tproxy-mark: '{options.TProxyMark}' is not a 32-bit number");
            }

            _mark = NftValues.Mark(options.TProxyMark, _markValue);
            _loopbackV4 = NftValues.Network(LoopbackText(options), options.Ipv4LoopbackCidr);
            Split(options.OutboundCidrs, _includeV4, _includeV6);
            Split(options.OutboundExcludeCidrs, _excludeV4, _excludeV6);
            foreach (IPAddress server in host.DnsServers)
            {
                (server.AddressFamily == AddressFamily.InterNetworkV6 ? _dnsV6 : _dnsV4).Add(server);
            }

            _dns = options.RedirectDns && (options.CaptureAllDns || host.DnsServers.Count > 0);
        }

        public List<NftRule> Build()
        {
            ExcludeInterfaces();        // 1
            KubeVirtReturn();           // 2
            DropInvalid();              // 3
            CommonChains();             // 4
            Inbound();                  // 5
            Add(Table.Nat, NftChains.Output, [], Jump(NftChains.OutputChain));  // 6
            OutboundExcludedPorts();    // 7
            InboundPassthrough();       // 8
            ProxyOwners(NftField.SkUid, _options.ProxyUids);  // 9
            ProxyOwners(NftField.SkGid, _options.ProxyGids);  // 10
            OwnerGroups();              // 11
            Dns();                      // 12
            OutboundExcludedCidrs();    // 13, 14
            OutboundPorts();            // 15
            OutboundInclude();          // 16
            TProxyMarks();              // 17
            return _rules;
        }

        /// <summary>The IPv4 loopback CIDR as the user wrote it, when known (Istio prints it verbatim).</summary>
        private static string LoopbackText(RuleOptions options) => options.Ipv4LoopbackCidrText ?? NftValues.Network(options.Ipv4LoopbackCidr).Text;

        private static void Split(IReadOnlyList<IPNetwork> all, List<IPNetwork> v4, List<IPNetwork> v6)
        {
            foreach (IPNetwork network in all)
            {
                (network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : v4).Add(network);
            }
        }

        private void Add(Table table, string chain, NftMatch[] matches, NftStatement[] statements, int? index = null) =>
            _rules.Add(new NftRule(table, chain, matches, statements, index));

        private static NftStatement[] Jump(string chain) => [NftStatement.Counter, NftStatement.Jump(chain)];

        private static NftStatement[] RedirectTo(int port) => [NftStatement.Counter, NftStatement.Redirect(port)];

        private static NftMatch Match(NftField field, NftValue value, bool negated = false) => new(field, value, negated);

        private static NftMatch Port(NftField field, int port, bool negated = false) => new(field, NftValues.Port(port), negated);
    }
}
