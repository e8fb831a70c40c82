using Capture.Init;
using Capture.Init.Configuration;
using Capture.Init.Rules;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Init;

/// <summary>The applier against real iptables in fresh namespaces: apply, no-op re-run, drift, reconcile, clean-up.</summary>
public sealed class CaptureApplierTests
{
    [RequiresRootTheory(Tools = ["iptables-nft-save", "iptables-legacy-save"])]
    [InlineData("nft")]
    [InlineData("legacy")]
    public async Task Apply_CleanNamespace_SaveShowsThePlan(string backend)
    {
        using TestNamespace ns = TestNamespace.Create("apply");
        CaptureOptions options = InProcessCapture.DefaultIstioInit(ns, backend);
        IptablesState plan = InProcessCapture.Plan(options).State(IpFamily.V4);

        (ExitCode code, IReadOnlyList<string> log) = await InProcessCapture.RunAsync(options);
        IptablesState live = LiveRules.Read(ns, backend);

        code.Should().Be(ExitCode.Success);
        LiveRules.Ours(live, plan).Should().Be(plan, "live rules:\n{0}", live);
        log.Should().ContainSingle().Which.Should().Match($"IPv4: applied {InProcessCapture.Plan(options).Ipv4Rules.Count} rules via iptables-{backend} in network namespace {ns.Path}");
    }

    [RequiresRootFact]
    public async Task Apply_Twice_SecondRunChangesNothingAndSaysSo()
    {
        using TestNamespace ns = TestNamespace.Create("apply");
        CaptureOptions options = InProcessCapture.DefaultIstioInit(ns);
        await InProcessCapture.RunAsync(options);
        string before = Rules(LiveRules.SaveText(ns));

        (ExitCode code, IReadOnlyList<string> log) = await InProcessCapture.RunAsync(options);

        code.Should().Be(ExitCode.Success);
        Rules(LiveRules.SaveText(ns)).Should().Be(before);
        log.Should().ContainSingle().Which.Should().Contain($"{InProcessCapture.Plan(options).Ipv4Rules.Count} rules already current (iptables-nft)");
    }

    [RequiresRootFact(Tools = ["iptables-nft"])]
    public async Task Apply_AfterARuleWasDeleted_ReportsDriftThenReconcileRestoresIt()
    {
        using TestNamespace ns = TestNamespace.Create("apply");
        CaptureOptions options = InProcessCapture.DefaultIstioInit(ns);
        IptablesState plan = InProcessCapture.Plan(options).State(IpFamily.V4);
        await InProcessCapture.RunAsync(options);
        ns.Exec("iptables-nft", "-t", "nat", "-D", "ISTIO_INBOUND", "-p", "tcp", "--dport", "15021", "-j", "RETURN").EnsureSuccess();

        Func<Task> withoutReconcile = () => InProcessCapture.RunAsync(options);
        CaptureException drift = (await withoutReconcile.Should().ThrowAsync<CaptureException>()).Which;
        (ExitCode code, IReadOnlyList<string> log) = await InProcessCapture.RunAsync(options with { Run = options.Run with { Reconcile = true } });
        IptablesState live = LiveRules.Read(ns);

        drift.ExitCode.Should().Be(ExitCode.Failure);
        drift.Message.Should().Contain("differ from the plan").And.Contain("--reconcile")
            .And.Contain("missing rule '-A ISTIO_INBOUND -p tcp --dport 15021 -j RETURN'");
        code.Should().Be(ExitCode.Success);
        // In-process runs share the test host with tests that spawn processes: a child forked while the previous run
        // still held the namespace lock keeps it until its exec, so a "waiting for it to finish" pair may come first.
        log.Where(l => !l.Contains("capture-init run is changing", StringComparison.Ordinal) && !l.Contains("finished after", StringComparison.Ordinal))
            .Should().ContainSingle().Which.Should().Contain($"IPv4: reconciled 1 differences, applied {plan.Chains.Sum(c => c.Rules.Count)} rules via iptables-nft");
        LiveRules.Ours(live, plan).Should().Be(plan, "live rules:\n{0}", live);
        LiveRules.SaveText(ns).Should().NotContain("guard");
    }

    [RequiresRootTheory(Tools = ["iptables-nft-save", "iptables-legacy-save"])]
    [InlineData("nft")]
    [InlineData("legacy")]
    public async Task CleanupOnly_Twice_RemovesEveryChainAndJumpAndSucceedsAgain(string backend)
    {
        using TestNamespace ns = TestNamespace.Create("cleanup");
        CaptureOptions options = InProcessCapture.DefaultIstioInit(ns, backend);
        await InProcessCapture.RunAsync(options);
        LiveRules.SaveText(ns, backend).Should().Contain("ISTIO_");

        (ExitCode first, _) = await InProcessCapture.RunAsync(options with { Run = options.Run with { CleanupOnly = true } });
        string afterFirst = LiveRules.SaveText(ns, backend);
        (ExitCode second, IReadOnlyList<string> log) = await InProcessCapture.RunAsync(options with { Run = options.Run with { CleanupOnly = true } });

        first.Should().Be(ExitCode.Success);
        second.Should().Be(ExitCode.Success);
        afterFirst.Should().NotContain("ISTIO");
        log.Should().ContainSingle().Which.Should().Contain("nothing to clean up");
    }

    /// <summary>The rule lines of iptables-save output (no comments or counters, which carry timestamps).</summary>
    private static string Rules(string save)
        => string.Join('\n', save.Split('\n').Where(line => line.StartsWith("-A", StringComparison.Ordinal) || line.StartsWith(':')));
}
