using System.Diagnostics;
using Capture.Init.Applying;
using Capture.Init.Configuration;
using Capture.Init.Iptables;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Applying;

public class StateAssessorTests
{
    private static readonly IReadOnlyList<Rule> s_rules = new CaptureRuleBuilder().Build(RuleOptions.Default with
    {
        InboundAllPorts = true,
        OutboundAllCidrs = true,
        LocalExcludePorts = [15090, 15021, 15020],
    }, HostFacts.None).Ipv4Rules;

    private static readonly IptablesState s_plan = IptablesState.FromRules(s_rules);

    [Fact]
    public void Assess_TwentyThousandPortsAndTwoThousandNics_TakesMillisecondsNotMinutes()
    {
        // ISTIO_INBOUND with 20,000 -d RETURNs, PREROUTING and OUTPUT with 2,000 -c RETURNs each, listed by the kernel
        // in the reverse order (the check compares multisets, so that is current). Compared as lists (IndexOf per
        // planned rule, Contains per live built-in rule) that is 2·10⁸ rule comparisons; by hash a few milliseconds.
        IReadOnlyList<Rule> rules = new CaptureRuleBuilder().Build(RuleOptions.Default with
        {
            InboundAllPorts = true,
            OutboundAllCidrs = true,
            LocalExcludePorts = [.. Enumerable.Range(1, 20_000)],
            ExcludeInterfaces = [.. Enumerable.Range(0, 2_000).Select(i => "veth" + i)],
        }, HostFacts.None).Ipv4Rules;
        IptablesState plan = IptablesState.FromRules(rules);
        string[] lines = IptablesRestoreRenderer.Render(rules).Split('\n');
        bool Many(string line) => line.StartsWith("-A ISTIO_INBOUND -p tcp --dport ", StringComparison.Ordinal) || line.Contains(" -i veth", StringComparison.Ordinal) || line.Contains(" -o veth", StringComparison.Ordinal);
        string reversed = string.Join('\n', lines.Where(l => !Many(l) && l != "COMMIT" && l.Length > 0).Concat(lines.Where(Many).Reverse()).Append("COMMIT\n"));
        // Parsed, so that no rule is the plan's own instance (reference equality would hide the cost).
        IptablesState live = IptablesSaveParser.Parse(reversed);
        IptablesState drifted = IptablesSaveParser.Parse(reversed
            .Replace("-A ISTIO_INBOUND -p tcp --dport 10000 -j RETURN\n", "", StringComparison.Ordinal)
            .Replace("-A PREROUTING -i veth1000 -j RETURN\n", "", StringComparison.Ordinal));

        Stopwatch stopwatch = Stopwatch.StartNew();
        StateAssessment current = StateAssessor.Assess(live, plan);
        StateAssessment drift = StateAssessor.Assess(drifted, plan);
        stopwatch.Stop();

        live.Rules(Table.Nat, "ISTIO_INBOUND").Should().HaveCountGreaterThan(20_000);
        live.Rules(Table.Nat, "ISTIO_INBOUND")[^2].ToRestoreLine().Should().Be("-A ISTIO_INBOUND -p tcp --dport 1 -j RETURN", "the kernel lists them reversed");
        current.Should().Be(StateAssessment.Current);
        drift.Differences.Should().BeEquivalentTo(
            "nat: missing rule '-A ISTIO_INBOUND -p tcp --dport 10000 -j RETURN'",
            "nat: missing rule '-A PREROUTING -i veth1000 -j RETURN'");
        // Generous for a loaded CI machine (here: about 0.1 s quiet, 2 s at load 20); the list comparison took minutes.
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Assess_EmptyNamespace_IsClean()
    {
        IptablesState live = IptablesSaveParser.Parse("*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");

        StateAssessor.Assess(live, s_plan).Should().Be(StateAssessment.Clean);
    }

    [Fact]
    public void Assess_ForeignRulesOnly_IsClean()
    {
        IptablesState live = IptablesSaveParser.Parse("*nat\n:OUTPUT ACCEPT [0:0]\n:KUBE - [0:0]\n-A OUTPUT -j KUBE\nCOMMIT\n");

        StateAssessor.Assess(live, s_plan).Kind.Should().Be(StateKind.Clean);
    }

    [Fact]
    public void Assess_ExactlyThePlanReorderedWithForeignRules_IsCurrent()
    {
        string payload = IptablesRestoreRenderer.Render(s_rules);
        string[] lines = payload.Split('\n');
        // Move one ISTIO_OUTPUT rule to the end of the table and add another tool's rule in OUTPUT.
        int moved = Array.FindIndex(lines, l => l.StartsWith("-A ISTIO_OUTPUT -o lo -s", StringComparison.Ordinal));
        List<string> shuffled = [.. lines.Where((_, i) => i != moved && lines[i] != "COMMIT" && lines[i].Length > 0), lines[moved], "-A OUTPUT -p udp -j RETURN", "COMMIT", ""];

        IptablesState live = IptablesSaveParser.Parse(string.Join('\n', shuffled));

        StateAssessor.Assess(live, s_plan).Should().Be(StateAssessment.Current);
    }

    [Fact]
    public void Assess_RuleMissingAndExtraChain_ListsBoth()
    {
        string payload = IptablesRestoreRenderer.Render(s_rules)
            .Replace("-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN\n", string.Empty, StringComparison.Ordinal)
            .Replace("COMMIT\n", "-N ISTIO_DIVERT\n-A ISTIO_DIVERT -j ACCEPT\nCOMMIT\n", StringComparison.Ordinal);

        StateAssessment assessment = StateAssessor.Assess(IptablesSaveParser.Parse(payload), s_plan);

        assessment.Kind.Should().Be(StateKind.Drifted);
        assessment.Differences.Should().BeEquivalentTo(
            "nat: missing rule '-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN'",
            "nat chain ISTIO_DIVERT is not in the plan (1 rules)");
    }

    [Fact]
    public void Assess_JumpTwice_ReportsTheDuplicate()
    {
        string payload = IptablesRestoreRenderer.Render(s_rules).Replace("COMMIT\n", "-A OUTPUT -j ISTIO_OUTPUT\nCOMMIT\n", StringComparison.Ordinal);

        StateAssessment assessment = StateAssessor.Assess(IptablesSaveParser.Parse(payload), s_plan);

        assessment.Differences.Should().Equal("nat: unexpected rule '-A OUTPUT -j ISTIO_OUTPUT'");
    }
}
