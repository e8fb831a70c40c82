using System.Net;
using Capture.Init.Iptables;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Rules;

public class RuleTests
{
    private static readonly IPNetwork s_loopback = IPNetwork.Parse("127.0.0.1/32");

    [Fact]
    public void Equals_BaseMatchesInSaveOrder_EqualsPlannedOrder()
    {
        Rule planned = new(Table.Nat, "ISTIO_OUTPUT",
            [OutInterfaceMatch.Loopback, new DestinationMatch(s_loopback, Negated: true), ProtocolMatch.Tcp, new DestinationPortMatch(15008, Negated: true)],
            VerdictTarget.Return);
        Rule saved = new(Table.Nat, "ISTIO_OUTPUT",
            [new DestinationMatch(s_loopback, Negated: true), OutInterfaceMatch.Loopback, ProtocolMatch.Tcp, new DestinationPortMatch(15008, Negated: true)],
            VerdictTarget.Return);

        saved.Should().Be(planned);
        saved.GetHashCode().Should().Be(planned.GetHashCode());
    }

    [Fact]
    public void Equals_ModulesInOtherOrder_NotEqual()
    {
        Rule first = new(Table.Nat, "ISTIO_OUTPUT", [new OwnerMatch(OwnerKind.Gid, "1", true), new OwnerMatch(OwnerKind.Gid, "2", true)], VerdictTarget.Return);
        Rule second = new(Table.Nat, "ISTIO_OUTPUT", [new OwnerMatch(OwnerKind.Gid, "2", true), new OwnerMatch(OwnerKind.Gid, "1", true)], VerdictTarget.Return);

        first.Should().NotBe(second);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Equals_DifferentNegation_NotEqual(bool negated)
    {
        Rule rule = new(Table.Nat, "X", [new DestinationMatch(s_loopback, negated)], VerdictTarget.Return);
        Rule other = new(Table.Nat, "X", [new DestinationMatch(s_loopback, !negated)], VerdictTarget.Return);

        rule.Should().NotBe(other);
    }

    [Fact]
    public void Equals_RedirectSpelling_Ignored()
    {
        var singular = new RedirectTarget(15053, SingularSpelling: true);
        var plural = new RedirectTarget(15053);

        singular.Should().Be(plural);
        singular.ToString().Should().Be("-j REDIRECT --to-port 15053");
        plural.ToString().Should().Be("-j REDIRECT --to-ports 15053");
    }

    [Fact]
    public void Equals_InsertPosition_Counts()
    {
        Rule appended = new(Table.Nat, "PREROUTING", [new InInterfaceMatch("kv0")], VerdictTarget.Return);
        Rule inserted = new(Table.Nat, "PREROUTING", [new InInterfaceMatch("kv0")], VerdictTarget.Return, insertPosition: 1);

        inserted.Should().NotBe(appended);
        inserted.WithoutPosition().Should().Be(appended);
    }

    [Fact]
    public void SpecTokens_ForIptablesCheck_SplitPerArgument()
    {
        Rule rule = new(Table.Nat, "ISTIO_OUTPUT",
            [ProtocolMatch.Tcp, new MultiportDestinationMatch([53, 15008], Negated: true), new OwnerMatch(OwnerKind.Uid, "1337")],
            new JumpTarget("ISTIO_IN_REDIRECT"));

        rule.SpecTokens().Should().Equal("-p", "tcp", "-m", "multiport", "!", "--dports", "53,15008", "-m", "owner", "--uid-owner", "1337", "-j", "ISTIO_IN_REDIRECT");
    }

    [Fact]
    public void Constructor_PositionZero_Throws()
    {
        Action create = () => _ = new Rule(Table.Nat, "X", [], VerdictTarget.Return, insertPosition: 0);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [InlineData("-m mark --mark 1337", 1337u, 0xffffffffu)]
    [InlineData("-m mark --mark 1337/0xff", 1337u, 0xffu)]
    public void MarkMatch_Mask_RenderedOnlyWhenPartial(string expected, uint mark, uint mask)
    {
        var match = new MarkMatch(mark, Mask: mask);

        match.ToString().Should().Be(expected);
    }

    [Fact]
    public void ConntrackStateMatch_States_RenderedInIptablesOrder()
    {
        var match = new ConntrackStateMatch(ConntrackStates.Established | ConntrackStates.Related | ConntrackStates.New);

        match.ToString().Should().Be("-m conntrack --ctstate NEW,RELATED,ESTABLISHED");
    }

    [Theory]
    [InlineData("-A OUTPUT -m comment --comment \"capture-init reconcile guard\" -j DROP")]
    [InlineData("-A ISTIO_OUTPUT -m comment --comment \"say \\\"hi\\\" $HOME\" -j RETURN")]
    [InlineData("-A ISTIO_OUTPUT -m comment --comment \"\" -j RETURN")]
    [InlineData("-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN")]
    public void ToRestoreLine_TokensWithBlanksOrQuotes_QuotedAsIptablesSaveDoes(string line)
    {
        // explain and diff print rules this way: pasted into iptables-restore (or after "iptables -t nat") they read back the same.
        Rule rule = IptablesSaveParser.Parse("*nat\n:OUTPUT ACCEPT [0:0]\n:ISTIO_OUTPUT - [0:0]\n" + line + "\nCOMMIT\n").Chains.SelectMany(c => c.Rules).Single();

        rule.ToRestoreLine().Should().Be(line);
        IptablesSaveParser.Parse("*nat\n:OUTPUT ACCEPT [0:0]\n:ISTIO_OUTPUT - [0:0]\n" + rule.ToRestoreLine() + "\nCOMMIT\n").Chains.SelectMany(c => c.Rules).Single()
            .Should().Be(rule);
    }
}
