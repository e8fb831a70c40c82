using System.Diagnostics;
using System.Net;
using Capture.Init.Configuration;
using Capture.Init.Diff;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Diff;

public class RuleSetDifferTests
{
    // A plan with every kind of chain: REDIRECT and TPROXY share nothing, so both are covered by the theory below.
    private static RuleOptions Options(InterceptionMode mode) => RuleOptions.Default with
    {
        InterceptionMode = mode,
        OutboundAllCidrs = true,
        OutboundExcludeCidrs = [IPNetwork.Parse("10.0.0.0/8")],
        InboundAllPorts = true,
        LocalExcludePorts = [15090, 15021],
        OutboundPorts = [3306],
        OutboundExcludePorts = [9090],
        ExcludeInterfaces = ["eth9"],
        KubeVirtInterfaces = ["vm0"],
        RedirectDns = true,
        DropInvalid = true,
    };

    private static readonly HostFacts s_host = HostFacts.None with { DnsServers = [IPAddress.Parse("10.96.0.10")], Ipv6Enabled = true };

    private static readonly Rule s_foreign = new(Table.Nat, "X", [new DestinationPortMatch(2222), ProtocolMatch.Tcp], VerdictTarget.Accept);

    [Fact]
    public void Compare_TwentyThousandPorts_OneRuleMoved_FastAndExact()
    {
        // Before: a (20,001)² table per diff, 1.6 GB. Now the common prefix and suffix are matched first.
        RuleOptions many = RuleOptions.Default with { InboundAllPorts = true, LocalExcludePorts = [.. Enumerable.Range(1, 20_000)] };
        IReadOnlyList<Rule> rules = new CaptureRuleBuilder().Build(many, HostFacts.None).Ipv4Rules;
        IptablesState planned = IptablesState.FromRules(rules);
        IptablesState same = IptablesState.FromRules(new CaptureRuleBuilder().Build(many, HostFacts.None).Ipv4Rules);
        ChainState inbound = same.Find(Table.Nat, "ISTIO_INBOUND")!;
        List<Rule> moved = [.. inbound.Rules];
        Rule rule = moved[5_000];
        moved.RemoveAt(5_000);
        moved.Add(rule);
        IptablesState live = new([.. same.Chains.Select(c => c == inbound ? new ChainState(c.Table, c.Name, moved) : c)]);

        Stopwatch stopwatch = Stopwatch.StartNew();
        IReadOnlyList<RuleDifference> alike = RuleSetDiffer.Compare(IpFamily.V4, planned, same);
        IReadOnlyList<RuleDifference> differences = RuleSetDiffer.Compare(IpFamily.V4, planned, live);
        stopwatch.Stop();

        alike.Should().BeEmpty();
        differences.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Kind = DifferenceKind.MovedRule, PlannedPosition = 5_001, LivePosition = moved.Count });
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "generous for a loaded CI machine; the quadratic table took minutes and gigabytes");
    }

    [Fact]
    public void Compare_PlanAgainstItsOwnState_NoDrift()
    {
        RuleSet plan = new CaptureRuleBuilder().Build(Options(InterceptionMode.Redirect), s_host);

        DiffReport report = RuleSetDiffer.Compare(plan, plan.State);

        report.HasDrift.Should().BeFalse();
        report.PlannedRules.Should().BeGreaterThan(40);
    }

    [Theory]
    [InlineData(nameof(InterceptionMode.Redirect))]
    [InlineData(nameof(InterceptionMode.TProxy))]
    public void Compare_EverySingleRuleDeletionInsertionAndSwap_ReportsDrift(string mode)
    {
        RuleSet plan = new CaptureRuleBuilder().Build(Options(Enum.Parse<InterceptionMode>(mode)), s_host);
        var undetected = new List<string>();
        int cases = 0;

        foreach (IpFamily family in plan.Families)
        {
            IptablesState planned = plan.State(family);
            foreach (ChainState chain in planned.Chains)
            {
                for (int i = 0; i < chain.Rules.Count; i++)
                {
                    var deleted = chain.Rules.ToList();
                    deleted.RemoveAt(i);
                    var inserted = chain.Rules.ToList();
                    inserted.Insert(i, new Rule(chain.Table, chain.Name, s_foreign.Matches, s_foreign.Target));
                    var tampered = new List<(string What, List<Rule> Rules, DifferenceKind Expected)>
                    {
                        ("delete", deleted, DifferenceKind.MissingRule),
                        ("insert", inserted, DifferenceKind.UnexpectedRule),
                    };
                    if (i + 1 < chain.Rules.Count && !chain.Rules[i].Equals(chain.Rules[i + 1]))
                    {
                        var swapped = chain.Rules.ToList();
                        (swapped[i], swapped[i + 1]) = (swapped[i + 1], swapped[i]);
                        tampered.Add(("swap", swapped, DifferenceKind.MovedRule));
                    }

                    foreach ((string what, List<Rule> rules, DifferenceKind expected) in tampered)
                    {
                        cases++;
                        IptablesState live = Replace(planned, chain, rules);
                        IReadOnlyList<RuleDifference> differences = RuleSetDiffer.Compare(family, planned, live);
                        if (!differences.Any(d => d.Kind == expected && d.Chain == chain.Name && d.Table == chain.Table))
                        {
                            undetected.Add($"{family} {chain} #{i + 1} {what}: {string.Join("; ", differences)}");
                        }
                    }
                }
            }
        }

        cases.Should().BeGreaterThan(100);
        undetected.Should().BeEmpty();
    }

    [Fact]
    public void Compare_MissingUserChain_ReportsChainAndItsRules()
    {
        RuleSet plan = new CaptureRuleBuilder().Build(Options(InterceptionMode.Redirect), s_host);
        IptablesState planned = plan.State(IpFamily.V4);
        var live = new IptablesState(planned.Chains.Where(c => c.Name != "ISTIO_REDIRECT").ToList());

        IReadOnlyList<RuleDifference> differences = RuleSetDiffer.Compare(IpFamily.V4, planned, live);

        differences.Should().ContainSingle(d => d.Kind == DifferenceKind.MissingChain && d.Chain == "ISTIO_REDIRECT");
        differences.Should().Contain(d => d.Kind == DifferenceKind.MissingRule && d.Rule == "-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001");
    }

    [Fact]
    public void Compare_LeftoverIstioChainAndForeignChain_OnlyOursIsUnexpected()
    {
        RuleSet plan = new CaptureRuleBuilder().Build(Options(InterceptionMode.Redirect), s_host);
        IptablesState planned = plan.State(IpFamily.V4);
        var live = new IptablesState(
        [
            .. planned.Chains,
            new ChainState(Table.Nat, "ISTIO_OLD", []),
            new ChainState(Table.Nat, "KUBE-SERVICES", [new Rule(Table.Nat, "KUBE-SERVICES", [], VerdictTarget.Return)]),
            new ChainState(Table.Filter, "INPUT", [new Rule(Table.Filter, "INPUT", [], new JumpTarget("ISTIO_OLD"))], "ACCEPT"),
        ]);

        IReadOnlyList<RuleDifference> differences = RuleSetDiffer.Compare(IpFamily.V4, planned, live);

        differences.Select(d => d.Kind + " " + d.Chain).Should().BeEquivalentTo(["UnexpectedChain ISTIO_OLD", "UnexpectedRule INPUT"]);
    }

    private static IptablesState Replace(IptablesState state, ChainState chain, IReadOnlyList<Rule> rules) =>
        new(state.Chains.Select(c => ReferenceEquals(c, chain) ? new ChainState(c.Table, c.Name, rules, c.Policy) : c).ToList());

    [Fact]
    public void Compare_PlanWithGroupNameAgainstSavedNumber_NoDriftOnceResolved()
    {
        RuleSet plan = new CaptureRuleBuilder().Build(RuleOptions.Default with { OutboundAllCidrs = true, OwnerGroupsExclude = ["builders"] }, HostFacts.None);
        var owners = new Capture.Init.Explain.OwnerIds(groups: new Dictionary<string, uint> { ["builders"] = 4242 });
        IptablesState saved = plan.State(IpFamily.V4).WithOwnerIds(owners.ResolveText);

        DiffReport unresolved = RuleSetDiffer.Compare(plan, _ => saved);
        DiffReport resolved = RuleSetDiffer.Compare(plan, _ => saved, owners.ResolveText);

        unresolved.HasDrift.Should().BeTrue();
        resolved.HasDrift.Should().BeFalse();
    }
}
