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
