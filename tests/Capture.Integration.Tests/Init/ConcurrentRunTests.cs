using System.Diagnostics;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Init;

/// <summary>
/// capture-init runs racing each other on one namespace (a restarted init container and a slow one, CNI plus init):
/// they are serialised by a lock on the namespace itself, so every trial ends with exactly the planned rules and each
/// exit code says what really happened.
/// </summary>
public sealed class ConcurrentRunTests
{
    private const int Trials = 6;
    private const int RunsPerTrial = 4;

    [RequiresRootFact(Tools = ["iptables-nft-save"])]
    public void ConcurrentApplies_SameNamespace_EveryTrialEndsWithThePlanAndEveryExitCodeTellsTheTruth()
    {
        using TestNamespace ns = TestNamespace.Create("race");
        var failures = new List<string>();

        for (int trial = 0; trial < Trials; trial++)
        {
            CaptureInit.RunTargeting(ns, [.. CaptureInit.DefaultIstioInitArguments, "--cleanup-only"]).EnsureSuccess();
            using Barrier start = new(RunsPerTrial);
            Task<ProcessResult>[] runs = Enumerable.Range(0, RunsPerTrial).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    return CaptureInit.RunTargeting(ns, CaptureInit.DefaultIstioInitArguments);
                },
                TaskCreationOptions.LongRunning)).ToArray();
            Task.WaitAll(runs);

            ProcessResult diff = CaptureInit.RunTargeting(ns, ["diff", .. CaptureInit.DefaultIstioInitArguments]);
            int istioRules = LiveRules.SaveText(ns).Split('\n').Count(line => line.StartsWith("-A ", StringComparison.Ordinal) && line.Contains("ISTIO", StringComparison.Ordinal));
            if (diff.ExitCode != 0 || istioRules != 18)
            {
                failures.Add($"trial {trial}: diff exited {diff.ExitCode} with {istioRules} ISTIO rules live: {diff.Stdout.Trim()}");
            }

            // Serialised, one run applies and the others find the rules current: every run succeeds, and says which.
            foreach (ProcessResult run in runs.Select(r => r.Result))
            {
                bool toldApplied = run.Stderr.Contains("applied 18 rules", StringComparison.Ordinal) || run.Stderr.Contains("18 rules already current", StringComparison.Ordinal);
                if (run.ExitCode != 0 || !toldApplied)
                {
                    failures.Add($"trial {trial}: {run}");
                }
            }

            runs.Select(r => r.Result).Count(r => r.Stderr.Contains("applied 18 rules", StringComparison.Ordinal))
                .Should().BeLessThanOrEqualTo(1, $"trial {trial}: at most one run finds the namespace clean");
        }

        failures.Should().BeEmpty();
    }

    [RequiresRootFact(Tools = ["flock"])]
    public void Apply_WhileAnotherRunHoldsTheNamespace_GivesUpAfterTheTimeoutWithOneLineAndChangesNothing()
    {
        using TestNamespace ns = TestNamespace.Create("race");
        using BackgroundProcess holder = StartHolder(ns, seconds: 30);

        Stopwatch elapsed = Stopwatch.StartNew();
        ProcessResult result = CaptureInit.RunTargeting(ns, [.. CaptureInit.DefaultIstioInitArguments, "--lock-timeout", "1s"]);
        elapsed.Stop();

        result.ExitCode.Should().Be(1, result.ToString());
        string[] lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Where(line => line.StartsWith("capture-init: ", StringComparison.Ordinal)).Should().ContainSingle()
            .Which.Should().Contain("another capture-init run").And.Contain(ns.Path).And.Contain("--lock-timeout");
        result.Stderr.Should().NotContain("   at ");
        elapsed.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "the wait is bounded by --lock-timeout");
        LiveRules.SaveText(ns).Should().NotContain("ISTIO", "nothing is touched without the lock");
    }

    [RequiresRootFact(Tools = ["flock"])]
    public void Apply_WhileAnotherRunHoldsTheNamespaceBriefly_WaitsSaysSoThenApplies()
    {
        using TestNamespace ns = TestNamespace.Create("race");
        using BackgroundProcess resident = ns.StartProcess("sleep", "60");
        using BackgroundProcess holder = StartHolder(ns, seconds: 2);

        // The holder locked /var/run/netns/NAME; this run names the namespace through a process inside it.
        ProcessResult result = CaptureInit.Run([.. CaptureInit.DefaultIstioInitArguments, "--network-namespace", $"/proc/{resident.Id}/ns/net"]);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stderr.Should().Contain("waiting for it to finish").And.Contain("applied 18 rules");
    }

    /// <summary>Holds the namespace's lock as another run would: flock(1) on the namespace file, from outside it.</summary>
    private static BackgroundProcess StartHolder(TestNamespace ns, int seconds)
    {
        BackgroundProcess holder = ns.StartProcess("flock", ns.Path, "sleep", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        // flock -n exits 1 while the lock is held by someone else.
        while (ProcessRunner.Run("flock", ["-n", ns.Path, "true"]).ExitCode == 0)
        {
            if (DateTime.UtcNow > deadline || holder.HasExited)
            {
                throw new InvalidOperationException($"flock did not take the lock: {holder.Stdout} {holder.Stderr}");
            }

            Thread.Sleep(20);
        }

        return holder;
    }
}
