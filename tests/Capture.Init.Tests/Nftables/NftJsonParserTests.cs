using System.Diagnostics;
using Capture.Init.Configuration;
using Capture.Init.Diff;
using Capture.Init.Nftables;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Nftables;

/// <summary>
/// parse(list(load(render(plan)))) == plan: Fixtures/Nft holds what the real nft 1.0.6 listed (<c>nft -j list ruleset</c>)
/// after loading each golden into a fresh namespace (the four with group names this machine lacks could not be loaded).
/// nft lists rules its own way (<c>meta l4proto tcp</c> dropped before <c>tcp dport</c>, <c>/32</c> dropped, masks
/// applied, sets and ct states reordered, marks as numbers); the parsed rules must still equal the planned ones.
/// </summary>
public class NftJsonParserTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(FixtureDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Parse_ListingOfLoadedGolden_EqualsPlan(string name)
    {
        NftPlan plan = Plan(NftGoldenCases.Get(name));

        NftLiveRuleset live = NftJsonParser.Parse(File.ReadAllText(Path.Combine(FixtureDirectory, name + ".json")));

        live.State.Tables.Should().Equal(plan.Tables);
        NftDiffer.Compare(plan.State, live.State).Should().BeEmpty();
        live.IptablesCaptureChains().Should().BeEmpty();
    }

    [Fact]
    public void Parse_FixturesCoverEveryLoadableCase()
    {
        Directory.GetFiles(FixtureDirectory, "*.json").Should().HaveCount(24, "28 cases less the four that name groups (java, ftp) this machine does not have");
    }

    [Fact]
    public void Compare_RuleDeletedMovedAndAdded_ReportsEachKind()
    {
        NftPlan plan = Plan(NftGoldenCases.Get("empty"));
        NftChainState output = plan.State.Chain(Table.Nat, NftChains.OutputChain)!;
        NftRule stray = new(Table.Nat, NftChains.OutputChain, [], [NftStatement.Counter, NftStatement.Accept]);
        List<NftRule> rules = [.. output.Rules];
        NftRule moved = rules[^1];
        rules.RemoveAt(rules.Count - 1);
        rules.Insert(0, moved);
        rules.RemoveAt(2);
        rules.Add(stray);
        var chains = plan.State.Chains.Select(c => c == output ? c with { Rules = rules } : c).ToList();

        IReadOnlyList<NftDifference> differences = NftDiffer.Compare(plan.State, new NftState(plan.Tables, chains));

        differences.Select(d => d.Kind).Should().BeEquivalentTo(
            [DifferenceKind.MovedRule, DifferenceKind.MissingRule, DifferenceKind.UnexpectedRule]);
        differences.Should().OnlyContain(d => d.Chain == NftChains.OutputChain);
        differences.Single(d => d.Kind == DifferenceKind.UnexpectedRule).ToString().Should().Be("istio-proxy-nat istio-output: unexpected  #7 counter accept");
    }

    [Fact]
    public void Compare_TwentyThousandPorts_FastAlikeMovedOrReversed()
    {
        // istio-inbound with 20,000 "tcp dport P counter return" rules: a 20,001² table would be 1.6 GB and minutes.
        RuleOptions many = RuleOptions.Default with { InboundAllPorts = true, LocalExcludePorts = [.. Enumerable.Range(1, 20_000)] };
        NftState plan = new NftPlanBuilder().Build(many, HostFacts.None).State;
        NftState same = new NftPlanBuilder().Build(many, HostFacts.None).State;
        NftChainState inbound = same.Chain(Table.Nat, NftChains.Inbound)!;
        List<NftRule> moved = [.. inbound.Rules];
        NftRule rule = moved[10_000];
        moved.RemoveAt(10_000);
        moved.Add(rule);
        List<NftRule> reversed = [.. inbound.Rules];
        reversed.Reverse();

        Stopwatch stopwatch = Stopwatch.StartNew();
        IReadOnlyList<NftDifference> alike = NftDiffer.Compare(plan, same);
        IReadOnlyList<NftDifference> oneMoved = NftDiffer.Compare(plan, With(same, inbound, moved));
        IReadOnlyList<NftDifference> allMoved = NftDiffer.Compare(plan, With(same, inbound, reversed));
        stopwatch.Stop();

        inbound.Rules.Should().HaveCountGreaterThan(20_000);
        alike.Should().BeEmpty();
        oneMoved.Should().ContainSingle().Which.Kind.Should().Be(DifferenceKind.MovedRule);
        allMoved.Should().NotBeEmpty().And.OnlyContain(d => d.Kind == DifferenceKind.MovedRule);
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "generous for a loaded CI machine; the quadratic table took minutes and gigabytes");
    }

    private static NftState With(NftState state, NftChainState chain, List<NftRule> rules) =>
        new(state.Tables, [.. state.Chains.Select(c => c == chain ? c with { Rules = rules } : c)]);

    [Fact]
    public void Compare_TableNoLongerPlanned_ReportsTheTable()
    {
        NftPlan withDns = Plan(NftGoldenCases.Get("ip-range"));
        NftPlan without = Plan(NftGoldenCases.Get("ipnets"));

        IReadOnlyList<NftDifference> differences = NftDiffer.Compare(without.State, withDns.State);

        differences.Should().Contain(d => d.TableLevel && d.Table == Table.Raw && d.Kind == DifferenceKind.UnexpectedChain);
        differences.Single(d => d.TableLevel).ToString().Should().Be("unexpected table inet istio-proxy-raw (the plan has no rule in it)");
    }

    [Fact]
    public void Parse_IptablesNftChainsInTheListing_AreReportedAsIptablesCaptureChains()
    {
        const string Json = """
            {"nftables": [{"metainfo": {"version": "1.0.6"}},
             {"table": {"family": "ip", "name": "nat", "handle": 1}},
             {"chain": {"family": "ip", "table": "nat", "name": "PREROUTING", "handle": 1}},
             {"chain": {"family": "ip", "table": "nat", "name": "ISTIO_OUTPUT", "handle": 2}},
             {"rule": {"family": "ip", "table": "nat", "chain": "ISTIO_OUTPUT", "handle": 3, "expr": [{"xt": {"type": "target", "name": "REDIRECT"}}]}}]}
            """;

        NftLiveRuleset live = NftJsonParser.Parse(Json);

        live.State.IsEmpty.Should().BeTrue();
        live.IptablesCaptureChains().Should().Equal("ip nat ISTIO_OUTPUT");
    }

    [Fact]
    public void Parse_UnknownExpression_NeverEqualsAPlannedRule()
    {
        const string Json = """
            {"nftables": [{"table": {"family": "inet", "name": "istio-proxy-nat"}},
             {"chain": {"family": "inet", "table": "istio-proxy-nat", "name": "istio-redirect"}},
             {"rule": {"family": "inet", "table": "istio-proxy-nat", "chain": "istio-redirect", "expr": [
               {"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "tcp"}}, {"counter": null}, {"log": {"prefix": "x"}}, {"redirect": {"port": 15001}}]}}]}
            """;

        NftRule rule = NftJsonParser.Parse(Json).State.Chain(Table.Nat, NftChains.Redirect)!.Rules.Single();
        NftRule planned = new(Table.Nat, NftChains.Redirect, [new NftMatch(NftField.L4Proto, NftValues.Tcp)], [NftStatement.Counter, NftStatement.Redirect(15001)]);

        rule.Should().NotBe(planned);
        rule.Statements.Should().Contain(s => s.Kind == NftStatementKind.Unknown);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"tables\": []}")]
    public void Parse_NotNftJson_Throws(string text)
    {
        Action act = () => NftJsonParser.Parse(text);

        act.Should().Throw<FormatException>();
    }

    [Theory]
    [InlineData("nftables v1.0.6 (Lester Gooch #5)\n", "1.0.6")]
    [InlineData("nftables v1.1.1 (Commodore Bullmoose #2)", "1.1.1")]
    [InlineData("nftables v0.9.8 (E.D.S.)", "0.9.8")]
    [InlineData("nftables v1.0 (x)", "1.0.0")]
    public void TryParseVersion_NftVersionLine_Reads(string text, string expected)
    {
        NftCommands.TryParseVersion(text, out Version version).Should().BeTrue();
        version.Should().Be(Version.Parse(expected));
    }

    internal static string FixtureDirectory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Nft");

    private static NftPlan Plan(NftGoldenCase golden) => new NftPlanBuilder().Build(golden.Options, golden.Host);
}
