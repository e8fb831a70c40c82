using Capture.Init.Iptables;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Rules;

public class IptablesStateTests
{
    [Fact]
    public void FromRules_InsertsAtPosition_AfterEarlierAppends()
    {
        Rule first = new(Table.Mangle, "ISTIO_INBOUND", [ProtocolMatch.Tcp], new JumpTarget("ISTIO_TPROXY"));
        Rule one = new(Table.Mangle, "ISTIO_INBOUND", [new MarkMatch(1337)], VerdictTarget.Return, insertPosition: 1);
        Rule two = new(Table.Mangle, "ISTIO_INBOUND", [new InInterfaceMatch("lo")], VerdictTarget.Return, insertPosition: 2);

        IptablesState state = IptablesState.FromRules([first, one, two]);

        state.Rules(Table.Mangle, "ISTIO_INBOUND").Select(r => r.ToString()).Should().Equal(
            "-m mark --mark 1337 -j RETURN", "-i lo -j RETURN", "-p tcp -j ISTIO_TPROXY");
        state.Rules(Table.Mangle, "ISTIO_INBOUND").Should().OnlyContain(r => r.InsertPosition == null);
    }

    [Fact]
    public void FromRules_JumpTarget_DeclaresEmptyChain()
    {
        IptablesState state = IptablesState.FromRules([new Rule(Table.Nat, "OUTPUT", [], new JumpTarget("ISTIO_OUTPUT"))]);

        state.Find(Table.Nat, "ISTIO_OUTPUT").Should().NotBeNull();
        state.Find(Table.Nat, "ISTIO_OUTPUT")!.Rules.Should().BeEmpty();
    }

    [Fact]
    public void Equals_ExtraEmptyBuiltInChains_Ignored()
    {
        Rule rule = new(Table.Nat, "OUTPUT", [], new JumpTarget("ISTIO_OUTPUT"));
        IptablesState planned = IptablesState.FromRules([rule]);
        IptablesState saved = IptablesSaveParser.Parse("*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:ISTIO_OUTPUT - [0:0]\n-A OUTPUT -j ISTIO_OUTPUT\nCOMMIT\n");

        saved.Should().Be(planned);
    }

    [Fact]
    public void Equals_MissingRule_NotEqual()
    {
        IptablesState planned = IptablesState.FromRules([
            new Rule(Table.Nat, "OUTPUT", [], new JumpTarget("ISTIO_OUTPUT")),
            new Rule(Table.Nat, "ISTIO_OUTPUT", [], VerdictTarget.Return)]);
        IptablesState saved = IptablesSaveParser.Parse("*nat\n:ISTIO_OUTPUT - [0:0]\n-A OUTPUT -j ISTIO_OUTPUT\nCOMMIT\n");

        saved.Should().NotBe(planned);
    }

    [Fact]
    public void Equals_ExtraUserChain_NotEqual()
    {
        IptablesState planned = IptablesState.FromRules([new Rule(Table.Nat, "OUTPUT", [], new JumpTarget("ISTIO_OUTPUT"))]);
        IptablesState saved = IptablesSaveParser.Parse("*nat\n:ISTIO_OUTPUT - [0:0]\n:OTHER - [0:0]\n-A OUTPUT -j ISTIO_OUTPUT\nCOMMIT\n");

        saved.Should().NotBe(planned);
    }

    [Fact]
    public void ToString_ReadsLikeSaveOutput()
    {
        IptablesState state = IptablesState.FromRules([new Rule(Table.Nat, "OUTPUT", [], new JumpTarget("ISTIO_OUTPUT"))]);

        state.ToString().Should().Be("*nat\n:OUTPUT -\n:ISTIO_OUTPUT -\n-A OUTPUT -j ISTIO_OUTPUT\nCOMMIT\n");
    }
}
