using System.Net;
using Capture.Init.Configuration;
using Capture.Init.Iptables;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Iptables;

public class IptablesRestoreRendererTests
{
    // docs/rules.md, "Rendering": -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' -x "" -b '*' -d 15090,15021,15020
    private const string RulesMdExample = """
        * nat
        -N ISTIO_INBOUND
        -N ISTIO_REDIRECT
        -N ISTIO_IN_REDIRECT
        -N ISTIO_OUTPUT
        -A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN
        -A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001
        -A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006
        -A PREROUTING -p tcp -j ISTIO_INBOUND
        -A ISTIO_INBOUND -p tcp --dport 15090 -j RETURN
        -A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN
        -A ISTIO_INBOUND -p tcp --dport 15020 -j RETURN
        -A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT
        -A OUTPUT -j ISTIO_OUTPUT
        -A ISTIO_OUTPUT -o lo -s 127.0.0.6/32 -j RETURN
        -A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT
        -A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN
        -A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN
        -A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --gid-owner 1337 -j ISTIO_IN_REDIRECT
        -A ISTIO_OUTPUT -o lo -m owner ! --gid-owner 1337 -j RETURN
        -A ISTIO_OUTPUT -m owner --gid-owner 1337 -j RETURN
        -A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN
        -A ISTIO_OUTPUT -j ISTIO_REDIRECT
        COMMIT

        """;

    internal static RuleOptions RulesMdExampleOptions { get; } = RuleOptions.Default with
    {
        ProxyPort = 15001,
        InboundCapturePort = 15006,
        ProxyUids = ["1337"],
        ProxyGids = ["1337"],
        InterceptionMode = InterceptionMode.Redirect,
        OutboundAllCidrs = true,
        InboundAllPorts = true,
        LocalExcludePorts = [15090, 15021, 15020],
    };

    [Fact]
    public void Render_RulesMdExample_MatchesByteForByte()
    {
        RuleSet plan = new CaptureRuleBuilder().Build(RulesMdExampleOptions, HostFacts.None);

        string payload = IptablesRestoreRenderer.Render(plan.Ipv4Rules);

        payload.Should().Be(RulesMdExample);
    }

    [Fact]
    public void Render_NoRules_ReturnsEmpty()
    {
        string payload = IptablesRestoreRenderer.Render([]);

        payload.Should().BeEmpty();
    }

    [Fact]
    public void Render_TablesOutOfOrder_RendersFilterMangleNatRaw()
    {
        Rule raw = new(Table.Raw, "OUTPUT", [], new JumpTarget("ISTIO_OUTPUT_DNS"));
        Rule nat = new(Table.Nat, "OUTPUT", [], new JumpTarget("ISTIO_OUTPUT"));
        Rule mangle = new(Table.Mangle, "ISTIO_DROP", [], VerdictTarget.Drop);

        string payload = IptablesRestoreRenderer.Render([raw, nat, mangle]);

        payload.Should().Be("""
            * mangle
            -N ISTIO_DROP
            -A ISTIO_DROP -j DROP
            COMMIT
            * nat
            -N ISTIO_OUTPUT
            -A OUTPUT -j ISTIO_OUTPUT
            COMMIT
            * raw
            -N ISTIO_OUTPUT_DNS
            -A OUTPUT -j ISTIO_OUTPUT_DNS
            COMMIT

            """);
    }

    [Fact]
    public void Render_OwnChainsThenJumpTargets_DeclaresInFirstUseOrder()
    {
        Rule jump = new(Table.Nat, "ISTIO_B", [], new JumpTarget("ISTIO_C"));
        Rule own = new(Table.Nat, "ISTIO_A", [ProtocolMatch.Tcp], new JumpTarget("ISTIO_B"));

        string payload = IptablesRestoreRenderer.Render([jump, own]);

        payload.Should().StartWith("* nat\n-N ISTIO_B\n-N ISTIO_A\n-N ISTIO_C\n-A ISTIO_B");
    }

    [Fact]
    public void Render_InsertedRule_WritesPosition()
    {
        Rule rule = new(Table.Nat, "PREROUTING", [new InInterfaceMatch("kv0")], VerdictTarget.Return, insertPosition: 1);

        string payload = IptablesRestoreRenderer.Render([rule]);

        payload.Should().Be("* nat\n-I PREROUTING 1 -i kv0 -j RETURN\nCOMMIT\n");
    }

    [Fact]
    public void Render_Ipv6Network_WritesPrefix()
    {
        Rule rule = new(Table.Nat, "ISTIO_OUTPUT", [new DestinationMatch(IPNetwork.Parse("fd00::/8"))], VerdictTarget.Return);

        string line = rule.ToRestoreLine();

        line.Should().Be("-A ISTIO_OUTPUT -d fd00::/8 -j RETURN");
    }
}
