using System.Net;
using Capture.Init.Configuration;
using Capture.Init.Explain;
using Capture.Init.Iptables;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Explain;

public class PacketSimulatorTests
{
    // docs/rules.md's example: -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x "" -b '*' -d 15090,15021,15020
    private static readonly RuleOptions s_example = RuleOptions.Default with
    {
        OutboundAllCidrs = true,
        InboundAllPorts = true,
        LocalExcludePorts = [15090, 15021, 15020],
    };

    private static readonly HostFacts s_ipv6 = HostFacts.None with { Ipv6Enabled = true };

    private static Explanation Explain(RuleOptions options, Connection connection, HostFacts? host = null)
    {
        RuleSet plan = new CaptureRuleBuilder().Build(options, host ?? s_ipv6);
        IpFamily family = PacketSimulator.FamilyOf(connection.Destination);
        return new PacketSimulator(plan.State(family), family, OwnerIds.NumericOnly, options).Explain(connection);
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

    [Fact]
    public void Explain_OutboundTcp_RedirectedTo15001WithOriginalDestination()
    {
        Explanation explanation = Explain(s_example, Outbound("10.1.2.3", 8080));

        explanation.Outcome.Kind.Should().Be(OutcomeKind.OutboundCapture);
        explanation.Outcome.Summary.Should().Be("redirected to 15001 (outbound capture)");
        explanation.Outcome.OriginalDestination.Should().Be(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 8080));
        explanation.Steps.Where(s => s.Kind == TraceStepKind.Rule).Select(s => s.RuleText).Should().ContainInOrder(
            "-A OUTPUT -j ISTIO_OUTPUT",
            "-A ISTIO_OUTPUT -j ISTIO_REDIRECT",
            "-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001");
    }

    [Fact]
    public void Explain_ProxyUid_BypassedByOwner()
    {
        Explanation explanation = Explain(s_example, Outbound("10.1.2.3", 8080, uid: 1337));

        explanation.Outcome.Kind.Should().Be(OutcomeKind.NotCaptured);
        explanation.Outcome.Summary.Should().Be("bypassed: owner UID 1337");
    }

    [Fact]
    public void Explain_ProxyGidOnly_BypassedByGroup()
    {
        Explanation explanation = Explain(s_example, Outbound("10.1.2.3", 8080, uid: 1000, gid: 1337));

        explanation.Outcome.Summary.Should().Be("bypassed: owner GID 1337");
    }

    [Fact]
    public void Explain_ExcludedCidr_NotCapturedNamingTheFlag()
    {
        RuleOptions options = s_example with { OutboundExcludeCidrs = [IPNetwork.Parse("10.0.0.0/8")] };

        Explanation explanation = Explain(options, Outbound("10.1.2.3", 8080));

        explanation.Outcome.Summary.Should().Be("not captured: 10.0.0.0/8 is excluded (-x)");
    }

    [Fact]
    public void Explain_ExcludedOutboundPort_NotCaptured()
    {
        RuleOptions options = s_example with { OutboundExcludePorts = [9090] };

        Explanation explanation = Explain(options, Outbound("10.1.2.3", 9090, protocol: TransportProtocol.Udp));

        explanation.Outcome.Summary.Should().Be("not captured: port 9090 is excluded (-o)");
    }

    [Theory]
    [InlineData(9080, nameof(OutcomeKind.InboundCapture), "redirected to 15006 (inbound capture)")]
    [InlineData(15090, nameof(OutcomeKind.NotCaptured), "not captured: port 15090 is excluded (-d)")]
    [InlineData(15008, nameof(OutcomeKind.NotCaptured), "not captured: port 15008 is the inbound tunnel port (-e)")]
    public void Explain_InboundPorts_FollowIncludeAndExclude(int port, string kind, string summary)
    {
        Explanation explanation = Explain(s_example, Inbound("10.1.0.2", port));

        explanation.Outcome.Kind.ToString().Should().Be(kind);
        explanation.Outcome.Summary.Should().Be(summary);
    }

    [Fact]
    public void Explain_InboundWithoutInboundPorts_SaysBIsEmpty()
    {
        Explanation explanation = Explain(RuleOptions.Default with { OutboundAllCidrs = true }, Inbound("10.1.0.2", 9080), HostFacts.None);

        explanation.Outcome.Summary.Should().Be("not captured: no inbound capture (-b is empty)");
    }

    [Fact]
    public void Explain_ProxyToOwnAddressOverLoopback_RedirectedInbound()
    {
        Explanation explanation = Explain(s_example, Outbound("10.1.0.2", 9080, uid: 1337, outInterface: "lo"));

        explanation.Outcome.Kind.Should().Be(OutcomeKind.InboundCapture);
        explanation.Outcome.Port.Should().Be(15006);
        explanation.Steps.Should().Contain(s => s.Kind == TraceStepKind.Hook && s.Hook == Hook.Prerouting, "a loopback packet re-enters");
    }

    [Fact]
    public void Explain_AppToOwnAddressOverLoopback_NotCaptured()
    {
        Explanation explanation = Explain(s_example, Outbound("10.1.0.2", 9080, uid: 1000, gid: 1000, outInterface: "lo"));

        explanation.Outcome.Summary.Should().Be("not captured: loopback traffic from a process whose UID is not 1337 (the proxy's)");
    }

    [Fact]
    public void Explain_Ipv6Outbound_RedirectedToIpv6Loopback()
    {
        Explanation explanation = Explain(s_example, Outbound("fd00::5", 443));

        explanation.Family.Should().Be(IpFamily.V6);
        explanation.Outcome.Kind.Should().Be(OutcomeKind.OutboundCapture);
        explanation.Steps.Should().Contain(s => s.Detail == "REDIRECT to [::1]:15001");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Explain_DnsToServer_RedirectedTo15053InZone2(bool udp)
    {
        TransportProtocol protocol = udp ? TransportProtocol.Udp : TransportProtocol.Tcp;
        RuleOptions options = s_example with { RedirectDns = true };
        HostFacts host = s_ipv6 with { DnsServers = [IPAddress.Parse("10.96.0.10")] };

        Explanation explanation = Explain(options, Outbound("10.96.0.10", 53, uid: 1000, gid: 1000, protocol: protocol), host);

        explanation.Outcome.Kind.Should().Be(OutcomeKind.DnsCapture);
        explanation.Outcome.Summary.Should().Be("DNS → 15053");
        explanation.ConntrackZone.Should().Be(protocol == TransportProtocol.Udp ? 2 : null);
    }

    [Fact]
    public void Explain_ProxyDns_BypassedInZone1()
    {
        RuleOptions options = s_example with { RedirectDns = true };
        HostFacts host = s_ipv6 with { DnsServers = [IPAddress.Parse("10.96.0.10")] };

        Explanation explanation = Explain(options, Outbound("10.96.0.10", 53, uid: 1337, gid: 1337, protocol: TransportProtocol.Udp), host);

        explanation.Outcome.Summary.Should().Be("bypassed: owner UID 1337");
        explanation.ConntrackZone.Should().Be(1);
    }

    [Fact]
    public void Explain_TproxyInbound_TproxiedWithMark()
    {
        RuleOptions options = s_example with { InterceptionMode = InterceptionMode.TProxy };

        Explanation explanation = Explain(options, Inbound("10.1.0.2", 9080));

        explanation.Outcome.Kind.Should().Be(OutcomeKind.TProxy);
        explanation.Outcome.Summary.Should().Be("TPROXY to 15006 (mark 1337)");
    }

    [Fact]
    public void Explain_TproxyEstablished_Diverted()
    {
        RuleOptions options = s_example with { InterceptionMode = InterceptionMode.TProxy };

        Explanation explanation = Explain(options, Inbound("10.1.0.2", 9080, established: true));

        explanation.Outcome.Kind.Should().Be(OutcomeKind.Diverted);
        explanation.Outcome.Mark.Should().Be(1337);
    }

    [Fact]
    public void Explain_ExcludedInterface_NotCaptured()
    {
        RuleOptions options = s_example with { ExcludeInterfaces = ["eth1"] };

        Explanation explanation = Explain(options, Inbound("10.1.0.2", 9080, inInterface: "eth1"));

        explanation.Outcome.Summary.Should().Be("not captured: interface eth1 is excluded (-c)");
    }

    [Fact]
    public void Explain_KubeVirtInterfaceToIncludedCidr_CapturedAsOutbound()
    {
        RuleOptions options = RuleOptions.Default with { OutboundCidrs = [IPNetwork.Parse("10.96.0.0/12")], KubeVirtInterfaces = ["vm0"] };

        Explanation captured = Explain(options, Inbound("10.96.0.1", 80, inInterface: "vm0"), HostFacts.None);
        Explanation other = Explain(options, Inbound("192.168.1.1", 80, inInterface: "vm0"), HostFacts.None);

        captured.Outcome.Kind.Should().Be(OutcomeKind.OutboundCapture);
        other.Outcome.Summary.Should().Be("not captured: traffic arriving on vm0 is captured only towards -i (-k)");
    }

    [Fact]
    public void Explain_ReturnFromUserChain_ResumesCallerAtNextRule()
    {
        IptablesState rules = IptablesSaveParser.Parse(
            "*nat\n:OUTPUT ACCEPT [0:0]\n:X - [0:0]\n-A OUTPUT -j X\n-A OUTPUT -p tcp -j REDIRECT --to-ports 9999\n-A X -j RETURN\nCOMMIT\n");

        Explanation explanation = new PacketSimulator(rules, IpFamily.V4, OwnerIds.NumericOnly).Explain(Outbound("10.1.2.3", 80));

        explanation.Outcome.Kind.Should().Be(OutcomeKind.Redirected);
        explanation.Outcome.Port.Should().Be(9999);
    }

    [Fact]
    public void Explain_DropPolicyOnBuiltInChain_Dropped()
    {
        IptablesState rules = IptablesSaveParser.Parse("*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -p udp -j ACCEPT\nCOMMIT\n");

        Explanation explanation = new PacketSimulator(rules, IpFamily.V4, OwnerIds.NumericOnly).Explain(Outbound("10.1.2.3", 80));

        explanation.Outcome.Kind.Should().Be(OutcomeKind.Dropped);
        explanation.Outcome.Summary.Should().Be("dropped: OUTPUT policy DROP");
    }

    [Fact]
    public void Explain_OwnerNameInPlan_ResolvedThroughGroupNames()
    {
        RuleOptions options = s_example with { OwnerGroupsExclude = ["builders"] };
        RuleSet plan = new CaptureRuleBuilder().Build(options, s_ipv6);
        var owners = new OwnerIds(groups: new Dictionary<string, uint> { ["builders"] = 4242 });

        Explanation explanation = new PacketSimulator(plan.State(IpFamily.V4), IpFamily.V4, owners, options).Explain(Outbound("10.1.2.3", 80, uid: 1000, gid: 4242));

        explanation.Outcome.Summary.Should().Be("bypassed: owner GID builders (ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE)");
    }
}
