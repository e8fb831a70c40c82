using Capture.Init.Iptables;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Init;

/// <summary>
/// A --reconcile killed with -9 between its table commits leaves its DROP guard standing: the pod is blackholed. A
/// plain re-run (a restarted init container has the same arguments, without --reconcile) recognises the guard as
/// capture-init's own and finishes the job, saying so.
/// </summary>
public sealed class InterruptedReconcileTests
{
    [RequiresRootFact]
    public void PlainRun_AfterAReconcileKilledWithOnlyItsGuardLeft_FinishesTheJobAndSaysSo()
    {
        using TestNamespace ns = TestNamespace.Create("guard");
        // What a kill between the guard's commit and the apply's leaves once the old rules were cleaned: only the guard.
        ns.ExecWithInput(RestorePayloads.Guard(), "iptables-nft-restore", "--noflush").EnsureSuccess();

        ProcessResult result = CaptureInit.RunTargeting(ns, CaptureInit.DefaultIstioInitArguments);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stderr.Should().Contain("guard").And.Contain("interrupted");
        string live = LiveRules.SaveText(ns);
        live.Should().NotContain(RestorePayloads.GuardComment, "the guard is removed");
        CaptureInit.RunTargeting(ns, ["diff", .. CaptureInit.DefaultIstioInitArguments]).ExitCode.Should().Be(0, "the planned rules are in place");
    }

    [RequiresRootFact]
    public void PlainRun_AfterAReconcileKilledRightAfterItsGuard_FinishesTheJob()
    {
        using TestNamespace ns = TestNamespace.Create("guard");
        CaptureInit.RunTargeting(ns, CaptureInit.DefaultIstioInitArguments).EnsureSuccess();
        ns.ExecWithInput(RestorePayloads.Guard(), "iptables-nft-restore", "--noflush").EnsureSuccess();

        ProcessResult result = CaptureInit.RunTargeting(ns, CaptureInit.DefaultIstioInitArguments);

        result.ExitCode.Should().Be(0, result.ToString());
        LiveRules.SaveText(ns).Should().NotContain(RestorePayloads.GuardComment);
        CaptureInit.RunTargeting(ns, ["diff", .. CaptureInit.DefaultIstioInitArguments]).ExitCode.Should().Be(0);
    }

    [RequiresRootFact]
    public void CleanupOnly_AfterAReconcileKilledWithOnlyItsGuardLeft_RemovesTheGuard()
    {
        using TestNamespace ns = TestNamespace.Create("guard");
        ns.ExecWithInput(RestorePayloads.Guard(), "iptables-nft-restore", "--noflush").EnsureSuccess();

        ProcessResult result = CaptureInit.RunTargeting(ns, [.. CaptureInit.DefaultIstioInitArguments, "--cleanup-only"]);

        result.ExitCode.Should().Be(0, result.ToString());
        LiveRules.SaveText(ns).Should().NotContain(RestorePayloads.GuardComment);
    }
}
