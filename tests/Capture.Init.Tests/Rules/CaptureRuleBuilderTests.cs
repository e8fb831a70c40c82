using System.Net;
using Capture.Init.Configuration;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Rules;

/// <summary>One or more tests per step of docs/rules.md's plan; whole rule sets are covered by the golden files.</summary>
public class CaptureRuleBuilderTests
{
    private static readonly RuleOptions s_injector = RuleOptions.Default with
    {
        OutboundAllCidrs = true,
        InboundAllPorts = true,
        LocalExcludePorts = [15090, 15021, 15020],
    };

    private static RuleSet Build(RuleOptions options, HostFacts? host = null) => new CaptureRuleBuilder().Build(options, host ?? HostFacts.None);

    private static string[] Lines(RuleSet rules, Table table, IpFamily family = IpFamily.V4) =>
        rules.Rules(family).Where(r => r.Table == table).Select(r => r.ToRestoreLine()).ToArray();

    private static string[] Specs(RuleSet rules, string chain, Table table = Table.Nat, IpFamily family = IpFamily.V4) =>
        rules.Chain(chain, family, table).Rules.Select(r => r.ToString()).ToArray();

    // Step 1
    [Fact]
    public void Build_CidrsOfBothFamilies_SplitsThemByFamily()
    {
        RuleOptions options = RuleOptions.Default with
        {
            OutboundCidrs = [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/8")],
            OutboundExcludeCidrs = [IPNetwork.Parse("fd00:1::/64"), IPNetwork.Parse("10.1.0.0/16")],
        };

        RuleSet rules = Build(options, HostFacts.None with { Ipv6Enabled = true });

        Specs(rules, "ISTIO_OUTPUT").Should().Contain(["-d 10.1.0.0/16 -j RETURN", "-d 10.0.0.0/8 -j ISTIO_REDIRECT"])
            .And.NotContain(s => s.Contains("fd00", StringComparison.Ordinal));
        Specs(rules, "ISTIO_OUTPUT", family: IpFamily.V6).Should().Contain(["-d fd00:1::/64 -j RETURN", "-d fd00::/8 -j ISTIO_REDIRECT"])
            .And.NotContain(s => s.Contains("10.", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_RedirectDnsWithoutServers_TurnsDnsOffWithWarning()
    {
        RuleOptions options = s_injector with { RedirectDns = true };

        RuleSet rules = Build(options, HostFacts.None with { DnsServers = [] });

        rules.Warnings.Should().ContainSingle().Which.Should().Contain("DNS capture is off");
        rules.Ipv4Rules.Should().NotContain(r => r.Table == Table.Raw || r.Chain == "ISTIO_OUTPUT_DNS");
        Specs(rules, "ISTIO_OUTPUT").Should().Contain("-o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT");
    }

    [Fact]
    public void Build_Ipv6Off_HasNoIpv6Rules()
    {
        RuleSet rules = Build(s_injector, HostFacts.None with { Ipv6Enabled = false });

        rules.Ipv6Rules.Should().BeEmpty();
        rules.Families.Should().Equal(IpFamily.V4);
    }

    // Step 2
    [Fact]
    public void Build_ExcludeInterfaceRedirect_ReturnsInNatOnly()
    {
        RuleSet rules = Build(RuleOptions.Default with { ExcludeInterfaces = ["eth1"] });

        Lines(rules, Table.Nat).Should().StartWith(["-A PREROUTING -i eth1 -j RETURN", "-A OUTPUT -o eth1 -j RETURN"]);
        Lines(rules, Table.Mangle).Should().BeEmpty();
    }

    [Fact]
    public void Build_ExcludeInterfaceTProxy_ReturnsInMangleToo()
    {
        RuleSet rules = Build(RuleOptions.Default with { ExcludeInterfaces = ["eth1"], InterceptionMode = InterceptionMode.TProxy });

        Lines(rules, Table.Mangle).Should().StartWith(["-A PREROUTING -i eth1 -j RETURN", "-A OUTPUT -o eth1 -j RETURN"]);
    }

    // Step 3 and 16 (kube-virt)
    [Fact]
    public void Build_KubeVirtInterfaceWithAllCidrs_InsertsReturnThenRedirectFirst()
    {
        RuleSet rules = Build(RuleOptions.Default with { KubeVirtInterfaces = ["kv0"], OutboundAllCidrs = true });

        Lines(rules, Table.Nat).Should().Contain(["-I PREROUTING 1 -i kv0 -j RETURN", "-I PREROUTING 1 -i kv0 -j ISTIO_REDIRECT"]);
        Specs(rules, "PREROUTING").Should().Equal("-i kv0 -j ISTIO_REDIRECT", "-i kv0 -j RETURN");
    }

    [Fact]
    public void Build_KubeVirtInterfaceWithCidrs_InsertsOneRedirectPerCidr()
    {
        RuleSet rules = Build(RuleOptions.Default with
        {
            KubeVirtInterfaces = ["kv0"],
            OutboundCidrs = [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("192.168.0.0/16")],
        });

        Lines(rules, Table.Nat).Where(l => l.StartsWith("-I PREROUTING", StringComparison.Ordinal)).Should().Equal(
            "-I PREROUTING 1 -i kv0 -j RETURN",
            "-I PREROUTING 1 -i kv0 -d 10.0.0.0/8 -j ISTIO_REDIRECT",
            "-I PREROUTING 1 -i kv0 -d 192.168.0.0/16 -j ISTIO_REDIRECT");
    }

    // Step 4
    [Fact]
    public void Build_DropInvalid_JumpsToDropChainInMangle()
    {
        RuleSet rules = Build(RuleOptions.Default with { DropInvalid = true });

        Lines(rules, Table.Mangle).Should().Equal(
            "-A PREROUTING -m conntrack --ctstate INVALID -j ISTIO_DROP",
            "-A ISTIO_DROP -j DROP");
    }

    // Step 5
    [Fact]
    public void Build_Defaults_CreatesCommonChainsFirst()
    {
        RuleSet rules = Build(RuleOptions.Default with { ProxyPort = 16001, InboundCapturePort = 16006, InboundTunnelPort = 16008 });

        Lines(rules, Table.Nat).Should().StartWith([
            "-A ISTIO_INBOUND -p tcp --dport 16008 -j RETURN",
            "-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 16001",
            "-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 16006"]);
    }

    // Step 6
    [Fact]
    public void Build_NoInboundPorts_DoesNotJumpFromPrerouting()
    {
        RuleSet rules = Build(RuleOptions.Default);

        Specs(rules, "PREROUTING").Should().BeEmpty();
    }

    [Fact]
    public void Build_InboundPortListRedirect_RedirectsEachPort()
    {
        RuleSet rules = Build(RuleOptions.Default with { InboundPorts = [9080, 9090], LocalExcludePorts = [15020] });

        Specs(rules, "ISTIO_INBOUND").Should().Equal(
            "-p tcp --dport 15008 -j RETURN",
            "-p tcp --dport 9080 -j ISTIO_IN_REDIRECT",
            "-p tcp --dport 9090 -j ISTIO_IN_REDIRECT");
    }

    [Fact]
    public void Build_InboundAllPortsTProxy_DivertsEstablishedThenTProxies()
    {
        RuleSet rules = Build(s_injector with { InterceptionMode = InterceptionMode.TProxy });

        Specs(rules, "ISTIO_DIVERT", Table.Mangle).Should().Equal("-j MARK --set-mark 1337", "-j ACCEPT");
        Specs(rules, "ISTIO_TPROXY", Table.Mangle).Should().Equal("! -d 127.0.0.1/32 -p tcp -j TPROXY --tproxy-mark 1337/0xffffffff --on-port 15006");
        Specs(rules, "PREROUTING", Table.Mangle).Should().StartWith("-p tcp -j ISTIO_INBOUND");
        Specs(rules, "ISTIO_INBOUND", Table.Mangle).Should().EndWith([
            "-p tcp --dport 15090 -j RETURN",
            "-p tcp --dport 15021 -j RETURN",
            "-p tcp --dport 15020 -j RETURN",
            "-p tcp -m conntrack --ctstate RELATED,ESTABLISHED -j ISTIO_DIVERT",
            "-p tcp -j ISTIO_TPROXY"]);
        Specs(rules, "PREROUTING", Table.Nat).Should().BeEmpty();
    }

    [Fact]
    public void Build_InboundPortListTProxy_DivertsAndTProxiesEachPort()
    {
        RuleSet rules = Build(RuleOptions.Default with { InterceptionMode = InterceptionMode.TProxy, InboundPorts = [9080] });

        Specs(rules, "ISTIO_INBOUND", Table.Mangle).Should().EndWith([
            "-p tcp --dport 9080 -m conntrack --ctstate RELATED,ESTABLISHED -j ISTIO_DIVERT",
            "-p tcp --dport 9080 -j ISTIO_TPROXY"]);
    }

    // Steps 7 to 9
    [Fact]
    public void Build_OutboundExcludedPorts_ReturnTcpAndUdpBeforePassthrough()
    {
        RuleSet rules = Build(RuleOptions.Default with { OutboundExcludePorts = [25] });

        Specs(rules, "OUTPUT").Should().Equal("-j ISTIO_OUTPUT");
        Specs(rules, "ISTIO_OUTPUT").Should().StartWith([
            "-p tcp --dport 25 -j RETURN",
            "-p udp --dport 25 -j RETURN",
            "-o lo -s 127.0.0.6/32 -j RETURN"]);
    }

    [Fact]
    public void Build_Ipv6_UsesIpv6PassthroughAndLoopback()
    {
        RuleSet rules = Build(RuleOptions.Default, HostFacts.None with { Ipv6Enabled = true });

        Specs(rules, "ISTIO_OUTPUT", family: IpFamily.V6).Should().StartWith([
            "-o lo -s ::6/128 -j RETURN",
            "-o lo ! -d ::1/128 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT"]);
    }

    // Step 10 and 11
    [Fact]
    public void Build_SeveralUids_ThreeRulesPerUidThenPerGid()
    {
        RuleSet rules = Build(RuleOptions.Default with { ProxyUids = ["1337", "1338"], ProxyGids = ["2000"] });

        Specs(rules, "ISTIO_OUTPUT").Skip(1).Take(9).Should().Equal(
            "-o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT",
            "-o lo -m owner ! --uid-owner 1337 -j RETURN",
            "-m owner --uid-owner 1337 -j RETURN",
            "-o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --uid-owner 1338 -j ISTIO_IN_REDIRECT",
            "-o lo -m owner ! --uid-owner 1338 -j RETURN",
            "-m owner --uid-owner 1338 -j RETURN",
            "-o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --gid-owner 2000 -j ISTIO_IN_REDIRECT",
            "-o lo -m owner ! --gid-owner 2000 -j RETURN",
            "-m owner --gid-owner 2000 -j RETURN");
    }

    [Fact]
    public void Build_DnsOn_UidRuleUsesMultiportAndGidRuleDoesNot()
    {
        RuleSet rules = Build(RuleOptions.Default with { RedirectDns = true }, HostFacts.None with { DnsServers = [IPAddress.Parse("10.96.0.10")] });

        Specs(rules, "ISTIO_OUTPUT").Should().ContainInOrder(
            "-o lo ! -d 127.0.0.1/32 -p tcp -m multiport ! --dports 53,15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT",
            "-o lo -p tcp ! --dport 53 -m owner ! --uid-owner 1337 -j RETURN",
            "-m owner --uid-owner 1337 -j RETURN",
            "-o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT",
            "-o lo -p tcp ! --dport 53 -m owner ! --gid-owner 1337 -j RETURN",
            "-m owner --gid-owner 1337 -j RETURN");
    }

    [Theory]
    [InlineData("127.0.0.1/32")]
    [InlineData("127.0.0.0/8")]
    [InlineData("::1/128")]
    public void Build_LoopbackCidrInInclude_DropsTheLoopbackReturnRule(string loopback)
    {
        RuleSet rules = Build(RuleOptions.Default with
        {
            OutboundCidrs = [IPNetwork.Parse(loopback), IPNetwork.Parse("10.0.0.0/8")],
        }, HostFacts.None with { Ipv6Enabled = true });

        foreach (IpFamily family in rules.Families)
        {
            Specs(rules, "ISTIO_OUTPUT", family: family).Should().NotContain(s => s.Contains("! --uid-owner", StringComparison.Ordinal)
                || s.Contains("! --gid-owner", StringComparison.Ordinal));
        }
    }

    // Step 12
    [Fact]
    public void Build_OwnerGroupsInclude_OneRuleWithAllGroupsNegated()
    {
        RuleSet rules = Build(RuleOptions.Default with { OwnerGroupsInclude = ["java", "1234"] });

        Specs(rules, "ISTIO_OUTPUT").Should().Contain("-m owner ! --gid-owner java -m owner ! --gid-owner 1234 -j RETURN");
    }

    [Fact]
    public void Build_OwnerGroupsExclude_OneReturnPerGroup()
    {
        RuleSet rules = Build(RuleOptions.Default with { OwnerGroupsExclude = ["1001", "1002"] });

        Specs(rules, "ISTIO_OUTPUT").Should().ContainInOrder("-m owner --gid-owner 1001 -j RETURN", "-m owner --gid-owner 1002 -j RETURN");
    }

    // Step 13
    [Fact]
    public void Build_DnsServers_RedirectsEachServerOfItsFamily()
    {
        RuleSet rules = Build(RuleOptions.Default with
        {
            RedirectDns = true,
        }, HostFacts.None with { Ipv6Enabled = true, DnsServers = [IPAddress.Parse("10.96.0.10"), IPAddress.Parse("fd00::a")] });

        Specs(rules, "ISTIO_OUTPUT_DNS").Should().Equal(
            "-p tcp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-ports 15053",
            "-p udp --dport 53 -d 10.96.0.10/32 -j REDIRECT --to-port 15053");
        Specs(rules, "ISTIO_OUTPUT_DNS", family: IpFamily.V6).Should().Equal(
            "-p tcp --dport 53 -d fd00::a/128 -j REDIRECT --to-ports 15053",
            "-p udp --dport 53 -d fd00::a/128 -j REDIRECT --to-port 15053");
        Specs(rules, "ISTIO_OUTPUT_DNS", Table.Raw).Should().Equal(
            "-p udp --dport 53 -m owner --uid-owner 1337 -j CT --zone 1",
            "-p udp --sport 15053 -m owner --uid-owner 1337 -j CT --zone 2",
            "-p udp --dport 53 -m owner --gid-owner 1337 -j CT --zone 1",
            "-p udp --sport 15053 -m owner --gid-owner 1337 -j CT --zone 2",
            "-p udp --dport 53 -d 10.96.0.10/32 -j CT --zone 2");
        Specs(rules, "ISTIO_INBOUND", Table.Raw).Should().Equal("-p udp --sport 53 -s 10.96.0.10/32 -j CT --zone 1");
        Specs(rules, "PREROUTING", Table.Raw).Should().Equal("-j ISTIO_INBOUND");
    }

    [Fact]
    public void Build_DnsServerOfOneFamily_OtherFamilyGetsOnlyZonesForTheProxy()
    {
        RuleSet rules = Build(RuleOptions.Default with
        {
            RedirectDns = true,
        }, HostFacts.None with { Ipv6Enabled = true, DnsServers = [IPAddress.Parse("10.96.0.10")] });

        Specs(rules, "ISTIO_OUTPUT", family: IpFamily.V6).Should().NotContain("-j ISTIO_OUTPUT_DNS");
        Specs(rules, "ISTIO_OUTPUT_DNS", Table.Raw, IpFamily.V6).Should().HaveCount(4);
        Specs(rules, "OUTPUT", Table.Raw, IpFamily.V6).Should().Equal("-j ISTIO_OUTPUT_DNS");
        Specs(rules, "PREROUTING", Table.Raw, IpFamily.V6).Should().BeEmpty();
    }

    [Fact]
    public void Build_CaptureAllDns_OnePairWithoutAddresses()
    {
        RuleSet rules = Build(RuleOptions.Default with { RedirectDns = true, CaptureAllDns = true });

        rules.Warnings.Should().BeEmpty();
        Specs(rules, "ISTIO_OUTPUT_DNS").Should().Equal(
            "-p tcp --dport 53 -j REDIRECT --to-ports 15053",
            "-p udp --dport 53 -j REDIRECT --to-port 15053");
        Specs(rules, "ISTIO_OUTPUT_DNS", Table.Raw).Should().EndWith("-p udp --dport 53 -j CT --zone 2");
        Specs(rules, "ISTIO_INBOUND", Table.Raw).Should().Equal("-p udp --sport 53 -j CT --zone 1");
    }

    // Steps 14 to 16
    [Fact]
    public void Build_ExcludedCidrsAndOutboundPorts_ComeBeforeTheRedirect()
    {
        RuleSet rules = Build(RuleOptions.Default with
        {
            OutboundExcludeCidrs = [IPNetwork.Parse("169.254.169.254/32")],
            OutboundPorts = [3306],
            OutboundAllCidrs = true,
        });

        Specs(rules, "ISTIO_OUTPUT").Should().EndWith([
            "-d 127.0.0.1/32 -j RETURN",
            "-d 169.254.169.254/32 -j RETURN",
            "-p tcp --dport 3306 -j ISTIO_REDIRECT",
            "-j ISTIO_REDIRECT"]);
    }

    [Fact]
    public void Build_CustomLoopbackCidr_UsedWhereverLoopbackIs()
    {
        RuleSet rules = Build(RuleOptions.Default with { Ipv4LoopbackCidr = IPNetwork.Parse("127.0.0.0/8") });

        Specs(rules, "ISTIO_OUTPUT").Should().Contain(["-d 127.0.0.0/8 -j RETURN",
            "-o lo ! -d 127.0.0.0/8 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT"]);
    }

    [Fact]
    public void Build_NoOutboundCidrs_NeverJumpsToRedirectWithoutPort()
    {
        RuleSet rules = Build(RuleOptions.Default);

        Specs(rules, "ISTIO_OUTPUT").Should().NotContain("-j ISTIO_REDIRECT");
    }

    // Step 17
    [Fact]
    public void Build_TProxy_MarksAndInsertsIntoMangleInbound()
    {
        RuleSet rules = Build(s_injector with { InterceptionMode = InterceptionMode.TProxy, ProxyGids = ["1337"] });

        Specs(rules, "OUTPUT", Table.Mangle).Should().Equal(
            "-p tcp -o lo -m mark --mark 1337 -j RETURN",
            "! -d 127.0.0.1/32 -p tcp -o lo -m owner --uid-owner 1337 -j MARK --set-mark 1338",
            "! -d 127.0.0.1/32 -p tcp -o lo -m owner --gid-owner 1337 -j MARK --set-mark 1338",
            "-p tcp -m connmark --mark 1337 -j CONNMARK --restore-mark");
        Specs(rules, "ISTIO_INBOUND", Table.Mangle).Should().StartWith([
            "-p tcp -m mark --mark 1337 -j RETURN",
            "-p tcp -s 127.0.0.6/32 -i lo -j RETURN",
            "-p tcp -i lo -m mark ! --mark 1338 -j RETURN"]);
        Specs(rules, "PREROUTING", Table.Mangle).Should().EndWith("-p tcp -m mark --mark 1337 -j CONNMARK --save-mark");
    }

    [Fact]
    public void Build_TProxyWithInbound_AddsRoutingPerFamily()
    {
        RuleSet rules = Build(s_injector with { InterceptionMode = InterceptionMode.TProxy, TProxyMark = "1500", TProxyRouteTable = "200" }, HostFacts.None with { Ipv6Enabled = true });

        rules.RouteCommands.Select(c => c.ToString()).Should().Equal(
            "ip -6 addr add ::6/128 dev lo",
            "ip rule add fwmark 1500 lookup 200",
            "ip route add local default dev lo table 200",
            "ip -6 rule add fwmark 1500 lookup 200",
            "ip -6 route add local default dev lo table 200");
    }

    [Fact]
    public void Build_TProxyWithoutInbound_NoRoutingButMarks()
    {
        RuleSet rules = Build(RuleOptions.Default with { InterceptionMode = InterceptionMode.TProxy });

        rules.RouteCommands.Should().BeEmpty();
        Specs(rules, "ISTIO_INBOUND", Table.Mangle).Should().HaveCount(3);
    }

    [Fact]
    public void Build_Redirect_NoRouting()
    {
        RuleSet rules = Build(s_injector);

        rules.RouteCommands.Should().BeEmpty();
        rules.Ipv4Rules.Should().OnlyContain(r => r.Table == Table.Nat);
    }

    [Fact]
    public void Build_RouteCommand_ExposesArgumentsForIp()
    {
        RuleSet rules = Build(s_injector with { InterceptionMode = InterceptionMode.TProxy });

        rules.RouteCommands[0].Arguments.Should().Equal("rule", "add", "fwmark", "1337", "lookup", "133");
        rules.RouteCommands[0].Should().Be(new IpRuleAdd(IpFamily.V4, 1337, "133"));
    }

    [Fact]
    public void Build_BadTProxyMark_ThrowsCaptureException()
    {
        Action build = () => Build(RuleOptions.Default with { TProxyMark = "mark" });

        build.Should().Throw<CaptureException>().WithMessage("*--istio-inbound-tproxy-mark*'mark'*");
    }

    [Fact]
    public void Build_SameOptionsTwice_ProducesEqualPlans()
    {
        RuleOptions options = s_injector with { InterceptionMode = InterceptionMode.TProxy };
        HostFacts host = HostFacts.None with { Ipv6Enabled = true };

        RuleSet first = Build(options, host);
        RuleSet second = Build(options, host);

        first.Ipv4Rules.Should().Equal(second.Ipv4Rules);
        first.State(IpFamily.V6).Should().Be(second.State(IpFamily.V6));
    }
}
