using System.Net;
using Capture.Init.Configuration;
using Capture.Init.Explain;
using Capture.Init.Nftables;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Nftables;

/// <summary>
/// <c>explain --native-nftables</c>: a connection walked through Istio's nft tables (base chains by priority per hook)
/// gets the verdict the iptables walk gives for the same flags, printed with nft's names; the real nft's listings of
/// the goldens give the plan's verdicts; where the two backends really differ (an <c>inet</c> table meets IPv6 with no
/// IPv6 rule planned), the nft walk says what nft does.
/// </summary>
public class NftExplainRulesTests
{
    // istio-init's defaults: -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x "" -b '*' -d 15090,15021,15020
    private static readonly RuleOptions s_istioInit = RuleOptions.Default with
    {
        OutboundAllCidrs = true,
        InboundAllPorts = true,
        LocalExcludePorts = [15090, 15021, 15020],
    };

    private static readonly HostFacts s_ipv6 = HostFacts.None with { Ipv6Enabled = true };

    /// <summary>Shapes that between them reach every rule kind of the 28 configurations.</summary>
    private static readonly Connection[] s_connections =
    [
        Outbound("10.1.2.3", 8080),
        Outbound("10.1.2.3", 8080, uid: 1337, gid: 1337),
        Outbound("10.1.2.3", 8080, uid: 4000, gid: 1337),
        Outbound("10.1.2.3", 8080, uid: 3, gid: 3),
        Outbound("10.1.2.3", 8080, uid: 5000, gid: 2),
        Outbound("10.1.2.3", 8080, uid: 5000, gid: 202),
        Outbound("10.1.2.3", 8080, uid: 5000, gid: 888),
        Outbound("10.1.2.3", 32000),
        Outbound("10.1.2.3", 31000, protocol: TransportProtocol.Udp),
        Outbound("1.1.2.3", 80),
        Outbound("9.9.1.1", 80),
        Outbound("9.9.1.1", 80, outInterface: "not-istio-nic"),
        Outbound("127.0.0.1", 8080),
        Outbound("127.1.2.3", 8080, outInterface: "lo"),
        Outbound("10.0.0.5", 8080, outInterface: "lo"),
        Outbound("10.0.0.5", 8080, uid: 1337, gid: 1337, outInterface: "lo"),
        Outbound("10.0.0.5", 53, uid: 1337, gid: 1337, outInterface: "lo"),
        Outbound("127.0.0.53", 53, uid: 1000, gid: 1000, protocol: TransportProtocol.Udp),
        Outbound("127.0.0.53", 53, uid: 1000, gid: 1000),
        Outbound("127.0.0.53", 53, uid: 1337, gid: 1337, protocol: TransportProtocol.Udp),
        Outbound("8.8.8.8", 53, uid: 1000, gid: 1000, protocol: TransportProtocol.Udp),
        Inbound("10.0.0.5", 9080),
        Inbound("10.0.0.5", 4000),
        Inbound("10.0.0.5", 32000),
        Inbound("10.0.0.5", 15008),
        Inbound("10.0.0.5", 15090),
        Inbound("10.0.0.5", 6000),
        Inbound("10.0.0.5", 9080, inInterface: "eth1"),
        Inbound("10.0.0.5", 9080, inInterface: "not-istio-nic"),
        Inbound("9.9.1.1", 80, inInterface: "eth1"),
        Inbound("10.0.0.5", 9080, established: true),
        Outbound("2001:db8::1", 80),
        Outbound("fd00::1", 80),
        Outbound("fd00::1", 80, uid: 1337, gid: 1337),
        Outbound("::1", 8080),
        Outbound("::127.0.0.53", 53, uid: 1000, gid: 1000, protocol: TransportProtocol.Udp),
        Inbound("fd00::5", 4000, source: "fd00::9"),
        Inbound("fd00::5", 9080, source: "fd00::9"),
    ];

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (NftGoldenCase golden in NftGoldenCases.All)
        {
            data.Add(golden.Name);
        }

        return data;
    }

    [Fact]
    public void Explain_IstioInitDefaults_WalksTheNftTablesToTheRedirect()
    {
        Explanation explanation = ExplainNft(s_istioInit, HostFacts.None, Outbound("10.1.2.3", 8080));

        explanation.Outcome.Kind.Should().Be(OutcomeKind.OutboundCapture);
        explanation.Outcome.Summary.Should().Be("redirected to 15001 (outbound capture)");
        explanation.Outcome.OriginalDestination.Should().Be(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 8080));
        explanation.Outcome.DecidingRule.Should().Be(
            "istio-proxy-nat istio-output #9: counter jump istio-redirect → istio-proxy-nat istio-redirect #1: meta l4proto tcp counter redirect to :15001");
        explanation.Notation.Backend.Should().Be("nftables");
        explanation.Steps.Where(s => s.Kind == TraceStepKind.Chain).Select(s => s.Detail).Should().Equal(
            "istio-proxy-nat output", "istio-proxy-nat istio-output", "istio-proxy-nat istio-redirect");
        explanation.Steps.Where(s => s.Kind == TraceStepKind.Rule).Select(s => s.RuleText).Should().Equal(
            "counter jump istio-output",
            "counter jump istio-redirect",
            "meta l4proto tcp counter redirect to :15001");
    }

    [Fact]
    public void Explain_TproxyAndDnsAndDropInvalid_BaseChainsInPriorityOrder()
    {
        RuleOptions options = s_istioInit with { InterceptionMode = InterceptionMode.TProxy, RedirectDns = true, DropInvalid = true };
        HostFacts host = HostFacts.None with { DnsServers = [IPAddress.Parse("192.0.2.53")] };

        Explanation dns = ExplainNft(options, host, Outbound("192.0.2.53", 53, uid: 1000, gid: 1000, protocol: TransportProtocol.Udp));
        Explanation inbound = ExplainNft(options, host, Inbound("10.0.0.5", 9080));

        // raw (-300), mangle (-150), nat (-100) on output; then the redirected packet comes back in on lo.
        dns.Steps.Where(s => s.Kind == TraceStepKind.Chain && s.Depth == 0).Select(s => s.Detail).Should().Equal(
            "istio-proxy-raw output", "istio-proxy-mangle output", "istio-proxy-nat output", "istio-proxy-raw prerouting", "istio-proxy-mangle prerouting");
        dns.Outcome.Summary.Should().Be("DNS → 15053");
        dns.ConntrackZone.Should().Be(2);
        inbound.Steps.Where(s => s.Kind == TraceStepKind.Chain && s.Depth == 0).Select(s => s.Detail).Should().StartWith(
            ["istio-proxy-raw prerouting", "istio-proxy-mangle prerouting"]);
        inbound.Outcome.Kind.Should().Be(OutcomeKind.TProxy);
        inbound.Outcome.Summary.Should().Be("TPROXY to 15006 (mark 1337)");
        inbound.Outcome.DecidingRule.Should().Be(
            "istio-proxy-mangle istio-tproxy #1: meta l4proto tcp ip daddr != 127.0.0.1/32 tproxy ip to :15006 meta mark set 1337 counter accept");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Explain_EveryGoldenConfiguration_SameVerdictAsTheIptablesPlan(string name)
    {
        NftGoldenCase golden = NftGoldenCases.Get(name);
        RuleSet iptables = new CaptureRuleBuilder().Build(golden.Options, golden.Host);
        NftPlan nft = new NftPlanBuilder().Build(golden.Options, golden.Host);
        var differences = new List<string>();

        foreach (Connection connection in s_connections)
        {
            IpFamily family = PacketSimulator.FamilyOf(connection.Destination);
            if (family == IpFamily.V6 && !golden.Host.Ipv6Enabled)
            {
                continue; // the one real difference: Explain_Ipv6WithNoIpv6Rules_NftStillCaptures
            }

            Outcome expected = new PacketSimulator(iptables.State(family), family, OwnerIds.NumericOnly, golden.Options).Explain(connection).Outcome;
            Outcome actual = NftExplainRules.Simulator(nft.State, family, OwnerIds.NumericOnly, golden.Options).Explain(connection).Outcome;
            if (actual.Kind != expected.Kind || actual.Summary != expected.Summary || actual.Port != expected.Port || actual.Mark != expected.Mark)
            {
                differences.Add($"{ExplanationTextWriter.Describe(connection)}: iptables '{expected.Summary}', nft '{actual.Summary}'");
            }
        }

        differences.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(NftJsonParserTests.Fixtures), MemberType = typeof(NftJsonParserTests))]
    public void Explain_RealNftListingOfEachGolden_SameVerdictAsItsPlan(string name)
    {
        // What explain --live reads: the tables as nft lists them, owner ids as numbers, /32 and meta l4proto dropped.
        NftGoldenCase golden = NftGoldenCases.Get(name);
        NftState plan = new NftPlanBuilder().Build(golden.Options, golden.Host).State;
        NftState live = NftJsonParser.Parse(File.ReadAllText(Path.Combine(NftJsonParserTests.FixtureDirectory, name + ".json"))).State;
        var differences = new List<string>();

        foreach (Connection connection in s_connections)
        {
            IpFamily family = PacketSimulator.FamilyOf(connection.Destination);
            Outcome planned = NftExplainRules.Simulator(plan, family, OwnerIds.NumericOnly, golden.Options).Explain(connection).Outcome;
            Explanation listed = NftExplainRules.Simulator(live, family, OwnerIds.NumericOnly).Explain(connection);
            if (listed.Outcome.Kind != planned.Kind || listed.Outcome.Port != planned.Port || listed.Outcome.Mark != planned.Mark)
            {
                differences.Add($"{ExplanationTextWriter.Describe(connection)}: plan '{planned.Summary}', listing '{listed.Outcome.Summary}'");
            }

            listed.Notes.Should().NotContain(n => n.Contains("cannot simulate", StringComparison.Ordinal) || n.Contains("not simulated", StringComparison.Ordinal));
        }

        differences.Should().BeEmpty();
    }

    [Fact]
    public void Explain_Ipv6WithNoIpv6Rules_NftStillCaptures()
    {
        // No ip6 rule is planned, but the inet tables' family-neutral rules meet IPv6 packets too: nft redirects them.
        Explanation nft = ExplainNft(s_istioInit, HostFacts.None, Outbound("fd00::1", 80));
        RuleSet iptables = new CaptureRuleBuilder().Build(s_istioInit, HostFacts.None);

        nft.Outcome.Summary.Should().Be("redirected to 15001 (outbound capture)");
        iptables.Ipv6Enabled.Should().BeFalse("with iptables nothing would touch this connection");
    }

    [Fact]
    public void Explain_UnknownStatementInLiveTable_ShownAndNotSimulated()
    {
        var rules = new[]
        {
            new NftRule(Table.Nat, NftChains.Output, [], [NftStatement.Counter, new NftStatement(NftStatementKind.Unknown, Name: "{\"log\": null}")]),
            new NftRule(Table.Nat, NftChains.Output, [new NftMatch(NftField.TcpDport, NftValues.Port(80))], [NftStatement.Counter, NftStatement.Redirect(15001)]),
        };
        NftState state = NftState.FromRules(rules);

        Explanation explanation = NftExplainRules.Simulator(state, IpFamily.V4, OwnerIds.NumericOnly).Explain(Outbound("10.1.2.3", 80));

        explanation.Steps.Where(s => s.Kind == TraceStepKind.Rule).Select(s => s.RuleText).Should().Equal(
            "counter <unknown {\"log\": null}>", "tcp dport 80 counter redirect to :15001");
        explanation.Notes.Should().Contain(n => n.Contains("not simulated", StringComparison.Ordinal));
        explanation.Outcome.Summary.Should().Be("redirected to 15001");
    }

    private static Explanation ExplainNft(RuleOptions options, HostFacts host, Connection connection)
    {
        NftPlan plan = new NftPlanBuilder().Build(options, host);
        IpFamily family = PacketSimulator.FamilyOf(connection.Destination);
        return NftExplainRules.Simulator(plan.State, family, OwnerIds.NumericOnly, options).Explain(connection);
    }

    private static Connection Outbound(string destination, int port, uint uid = 0, uint gid = 0, TransportProtocol protocol = TransportProtocol.Tcp, string? outInterface = null) => new()
    {
        Direction = ConnectionDirection.Outbound,
        Destination = IPAddress.Parse(destination),
        DestinationPort = port,
        Uid = uid,
        Gid = gid,
        Protocol = protocol,
        OutInterface = outInterface,
    };

    private static Connection Inbound(string destination, int port, string source = "10.9.9.9", bool established = false, string inInterface = "eth0") => new()
    {
        Direction = ConnectionDirection.Inbound,
        Source = IPAddress.Parse(source),
        Destination = IPAddress.Parse(destination),
        DestinationPort = port,
        InInterface = inInterface,
        Established = established,
    };
}
