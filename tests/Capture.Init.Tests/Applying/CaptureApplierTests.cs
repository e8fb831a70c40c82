using Capture.Init.Applying;
using Capture.Init.Configuration;
using Capture.Init.Iptables;
using Capture.Init.Rules;
using Capture.Init.Tests.Iptables;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Init.Tests.Applying;

public class CaptureApplierTests
{
    private static readonly CaptureOptions s_options = CaptureOptions.Default with
    {
        Rules = RuleOptions.Default with { InboundAllPorts = true, OutboundAllCidrs = true, LocalExcludePorts = [15090, 15021, 15020] },
    };

    private static readonly RuleSet s_plan = new CaptureRuleBuilder().Build(s_options.Rules, HostFacts.None);
    private static readonly string s_payload = IptablesRestoreRenderer.Render(s_plan.Ipv4Rules);

    [Fact]
    public async Task RunAsync_CleanNamespace_TwoSavesAndOneRestoreOfThePlan()
    {
        FakeIptablesRunner runner = new();

        ExitCode code = await Run(runner, s_options);

        code.Should().Be(ExitCode.Success);
        runner.Invocations.Select(i => i.File).Should().BeEquivalentTo("iptables-legacy-save", "iptables-nft-save", "iptables-nft-restore");
        runner.Invocations.Single(i => i.File == "iptables-nft-restore").Stdin.Should().Be(s_payload);
    }

    [Fact]
    public async Task RunAsync_AlreadyCurrent_OnlyChecksWithMinusC()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner().On("iptables-nft-save", stdout: s_payload);

        ExitCode code = await Run(runner, s_options);

        code.Should().Be(ExitCode.Success);
        string check = runner.Invocations.Single(i => i.File == "iptables-nft-restore").Stdin!;
        check.Split('\n').Where(l => l.StartsWith('-')).Should().OnlyContain(l => l.StartsWith("-C ", StringComparison.Ordinal))
            .And.HaveCount(s_plan.Ipv4Rules.Count);
    }

    [Fact]
    public async Task RunAsync_CurrentButKernelCheckFails_ReportsTheRuleAsDrift()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner()
            .On("iptables-nft-save", stdout: s_payload)
            .On("iptables-nft-restore", exitCode: 1, stderr: "iptables-restore: line 2 failed\n");

        Func<Task> act = () => Run(runner, s_options);

        (await act.Should().ThrowAsync<CaptureException>()).Which.Message.Should()
            .Contain("differ from the plan").And.Contain("the kernel does not hold '-A ISTIO_INBOUND");
    }

    [Fact]
    public async Task RunAsync_DriftWithReconcile_OneRestoreGuardsCleansAppliesUnguards()
    {
        string drifted = s_payload.Replace("-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN\n", string.Empty, StringComparison.Ordinal);
        FakeIptablesRunner runner = new FakeIptablesRunner().On("iptables-nft-save", stdout: drifted);

        ExitCode code = await Run(runner, s_options with { Run = s_options.Run with { Reconcile = true } });

        code.Should().Be(ExitCode.Success);
        string payload = runner.Invocations.Should().ContainSingle(i => i.File == "iptables-nft-restore").Subject.Stdin!;
        payload.Should().StartWith(RestorePayloads.Guard()).And.EndWith(s_payload + RestorePayloads.Unguard()).And.Contain("-X ISTIO_OUTPUT\n");
    }

    [Fact]
    public async Task RunAsync_ApplyFailsInItsFirstTable_RemovesNothingAndSaysSo()
    {
        // Nothing was committed: ISTIO_INBOUND seen afterwards is another writer's (it is why line 9 failed), not ours to delete.
        FakeIptablesRunner runner = new FakeIptablesRunner()
            .On("iptables-nft-save", stdout: string.Empty, once: true)
            .On("iptables-nft-restore", exitCode: 2, stderr: "iptables-restore: line 9 failed\n", once: true)
            .On("iptables-nft-save", stdout: "*nat\n:ISTIO_INBOUND - [0:0]\nCOMMIT\n");

        Func<Task> act = () => Run(runner, s_options);

        (await act.Should().ThrowAsync<CaptureException>()).Which.Message.Should()
            .Contain("applying the rules with iptables-nft-restore failed (nothing of this run was committed)").And.Contain("line 9 failed");
        runner.Invocations.Count(i => i.File == "iptables-nft-restore").Should().Be(1, "no rollback restore runs");
    }

    [Fact]
    public async Task RunAsync_ApplyFailsInItsSecondTable_RollsBackOnlyTheCommittedTableFromAFreshRead()
    {
        CaptureOptions tproxy = s_options with { Rules = s_options.Rules with { InterceptionMode = InterceptionMode.TProxy } };
        RuleSet plan = new CaptureRuleBuilder().Build(tproxy.Rules, HostFacts.None);
        string[] payload = IptablesRestoreRenderer.Render(plan.Ipv4Rules).Split('\n');
        int secondTable = Array.FindIndex(payload, 1, line => line.StartsWith('*')) + 1;
        FakeIptablesRunner runner = new FakeIptablesRunner()
            .On("iptables-nft-save", stdout: string.Empty, once: true)
            .On("iptables-nft-restore", exitCode: 2, stderr: $"iptables-restore: line {secondTable + 1} failed\n", once: true)
            .On("iptables-nft-save", stdout: "*mangle\n:ISTIO_INBOUND - [0:0]\nCOMMIT\n*nat\n:ISTIO_INBOUND - [0:0]\nCOMMIT\n");

        Func<Task> act = () => new CaptureApplier(NullLogger.Instance, _ => runner, TimeProvider.System, TimeSpan.Zero, _ => true, lockNamespace: false).RunAsync(tproxy, plan, CancellationToken.None);

        (await act.Should().ThrowAsync<CaptureException>()).Which.Message.Should().Contain("failed (rolled back)");
        string firstTable = payload[0][1..].Trim();
        runner.Invocations[^1].Stdin.Should().Be($"*{firstTable}\n-F ISTIO_INBOUND\n-X ISTIO_INBOUND\nCOMMIT\n", "only the table committed before the failing line was this run's");
    }

    [Fact]
    public async Task RunAsync_CleanupOnlyOnACleanNamespace_RunsNoRestore()
    {
        FakeIptablesRunner runner = new();

        ExitCode code = await Run(runner, s_options with { Run = s_options.Run with { CleanupOnly = true } });

        code.Should().Be(ExitCode.Success);
        runner.Invocations.Should().NotContain(i => i.File.EndsWith("-restore", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_SkipRuleApply_StartsNothing()
    {
        FakeIptablesRunner runner = new();

        ExitCode code = await Run(runner, s_options with { Run = s_options.Run with { SkipRuleApply = true } });

        code.Should().Be(ExitCode.Success);
        runner.Invocations.Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_Tproxy_OneIpBatchPerFamilyAfterTheRules()
    {
        CaptureOptions tproxy = s_options with { Rules = s_options.Rules with { InterceptionMode = InterceptionMode.TProxy } };
        // The IPv4 batch starts with "rule del", which fails harmlessly when the rule is not there yet.
        FakeIptablesRunner runner = new FakeIptablesRunner()
            .On("ip", exitCode: 1, stderr: "RTNETLINK answers: No such file or directory\nCommand failed -:1\n", when: i => i.Arguments[0] != "-6" && i.Stdin!.StartsWith("rule del", StringComparison.Ordinal));

        ExitCode code = await new CaptureApplier(NullLogger.Instance, _ => runner, TimeProvider.System, TimeSpan.Zero, _ => true, (_, _) => null, lockNamespace: false)
            .RunAsync(tproxy, new CaptureRuleBuilder().Build(tproxy.Rules, HostFacts.None with { Ipv6Enabled = true }), CancellationToken.None);

        code.Should().Be(ExitCode.Success);
        // Per family one batch reading the routing state before any change, one making the changes after the rules.
        runner.Invocations.Where(i => i.File == "ip").Select(i => string.Join(' ', i.Arguments) + ": " + i.Stdin!.Split('\n')[0])
            .Should().BeEquivalentTo("-force -batch -: rule show", "-6 -force -batch -: addr show dev lo", "-force -batch -: rule del fwmark 1337 lookup 133", "-6 -force -batch -: addr replace ::6/128 dev lo");
        runner.Invocations.Select(i => i.File).ToList().FindLastIndex(f => f == "iptables-nft-restore")
            .Should().BeLessThan(runner.Invocations.Select(i => i.File).ToList().FindLastIndex(f => f == "ip"), "routing comes after the rules");
    }

    [Fact]
    public async Task RunAsync_RouteFailureOtherThanAMissingRule_Throws()
    {
        CaptureOptions tproxy = s_options with { Rules = s_options.Rules with { InterceptionMode = InterceptionMode.TProxy } };
        FakeIptablesRunner runner = new FakeIptablesRunner()
            .On("ip", exitCode: 1, stderr: "Error: Nexthop device is not up.\nCommand failed -:3\n", when: i => i.Stdin!.StartsWith("rule del", StringComparison.Ordinal));

        Func<Task> act = () => new CaptureApplier(NullLogger.Instance, _ => runner, TimeProvider.System, TimeSpan.Zero, _ => true, (_, _) => null, lockNamespace: false)
            .RunAsync(tproxy, new CaptureRuleBuilder().Build(tproxy.Rules, HostFacts.None), CancellationToken.None);

        (await act.Should().ThrowAsync<CaptureException>()).Which.Message.Should()
            .Contain("the routing step 'ip route replace local default dev lo table 133' failed").And.Contain("Nexthop device is not up").And.Contain("rolled back");
        // Undone: the routing this run added (nothing was there before), then the rules it applied, from a fresh read.
        runner.Invocations[^2].Stdin.Should().Be("rule del fwmark 1337 lookup 133\nroute del local default dev lo table 133\n");
        runner.Invocations[^1].File.Should().Be("iptables-nft-save");
    }

    [Fact]
    public async Task RunAsync_PreflightFindsAProblem_TouchesNothing()
    {
        FakeIptablesRunner runner = new();

        Func<Task> act = () => new CaptureApplier(NullLogger.Instance, _ => runner, TimeProvider.System, TimeSpan.Zero, _ => true, (_, _) => "no ip here", lockNamespace: false)
            .RunAsync(s_options, s_plan, CancellationToken.None);

        (await act.Should().ThrowAsync<CaptureException>()).Which.Message.Should().Be("no ip here");
        runner.Invocations.Should().BeEmpty();
    }

    private static Task<ExitCode> Run(FakeIptablesRunner runner, CaptureOptions options)
        => new CaptureApplier(NullLogger.Instance, _ => runner, TimeProvider.System, TimeSpan.Zero, _ => true, lockNamespace: false).RunAsync(options, s_plan, CancellationToken.None);
}
