using Capture.Init.Applying;
using Capture.Init.Configuration;
using Capture.Init.Iptables;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Iptables;

public class RestorePayloadsTests
{
    private static readonly IReadOnlyList<Rule> s_rules = new CaptureRuleBuilder().Build(RuleOptions.Default with
    {
        InboundAllPorts = true,
        OutboundAllCidrs = true,
    }, HostFacts.None).Ipv4Rules;

    private static readonly IptablesState s_plan = IptablesState.FromRules(s_rules);

    [Fact]
    public void Cleanup_AppliedPlanWithForeignRules_DeletesOursThenFlushesAndDeletesChains()
    {
        string live = IptablesRestoreRenderer.Render(s_rules).Replace("COMMIT\n", "-A OUTPUT -p udp -j RETURN\nCOMMIT\n", StringComparison.Ordinal);

        string cleanup = RestorePayloads.Cleanup(IptablesSaveParser.Parse(live), s_plan, live);

        cleanup.Should().Be("""
            *nat
            -D PREROUTING -p tcp -j ISTIO_INBOUND
            -D OUTPUT -j ISTIO_OUTPUT
            -F ISTIO_INBOUND
            -F ISTIO_REDIRECT
            -F ISTIO_IN_REDIRECT
            -F ISTIO_OUTPUT
            -X ISTIO_INBOUND
            -X ISTIO_REDIRECT
            -X ISTIO_IN_REDIRECT
            -X ISTIO_OUTPUT
            COMMIT

            """.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Cleanup_NothingOfOurs_IsEmpty()
    {
        const string live = "*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp -j RETURN\nCOMMIT\n";

        RestorePayloads.Cleanup(IptablesSaveParser.Parse(live), s_plan, live).Should().BeEmpty();
    }

    [Fact]
    public void Cleanup_GuardLeftByAKilledRun_IsRemoved()
    {
        const string live = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment capture-init-reconcile-guard -j DROP\nCOMMIT\n";

        string cleanup = RestorePayloads.Cleanup(IptablesSaveParser.Parse(live), s_plan, live);

        cleanup.Should().Be("*filter\n-D INPUT -m comment --comment capture-init-reconcile-guard -j DROP\nCOMMIT\n");
    }

    [Fact]
    public void Check_MapsEveryLineToItsRule()
    {
        string check = RestorePayloads.Check(s_plan, out IReadOnlyDictionary<int, Rule> lines);
        string[] text = check.Split('\n');

        lines.Should().HaveCount(s_rules.Count);
        foreach ((int line, Rule rule) in lines)
        {
            text[line - 1].Should().Be("-C" + rule.ToRestoreLine()[2..]);
        }

        text[0].Should().Be("*nat");
    }

    [Fact]
    public void GuardAndUnguard_InsertAndDeleteTheSameThreeRules()
    {
        RestorePayloads.Guard().Should().Be(
            "*filter\n" +
            "-I INPUT 1 -m comment --comment capture-init-reconcile-guard -j DROP\n" +
            "-I FORWARD 1 -m comment --comment capture-init-reconcile-guard -j DROP\n" +
            "-I OUTPUT 1 -m comment --comment capture-init-reconcile-guard -j DROP\n" +
            "COMMIT\n");
        RestorePayloads.Unguard().Should().Be(RestorePayloads.Guard().Replace("-I ", "-D ", StringComparison.Ordinal).Replace(" 1 -m", " -m", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("iptables-restore: line 7 failed\n", 7)]
    [InlineData("iptables-restore v1.8.9 (nf_tables): line 12 failed: Bad rule\n", 12)]
    [InlineData("something else", null)]
    public void FailedLine_ReadsTheLineNumber(string stderr, int? expected)
    {
        RestorePayloads.FailedLine(stderr).Should().Be(expected);
    }
}
