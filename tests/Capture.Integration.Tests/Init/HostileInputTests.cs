using System.Diagnostics;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Init;

/// <summary>Input a hostile or careless user gives the built capture-init: bounded in time and memory, one line each.</summary>
public sealed class HostileInputTests
{
    [RequiresRootTheory]
    [InlineData("/dev/zero")]
    [InlineData("fifo")]
    public void ResolvConf_EndlessFileOrFifoWithoutWriter_OneLineWithinSecondsNotMemoryOrAHang(string kind)
    {
        using TemporaryDirectory directory = TemporaryDirectory.Create();
        string path = kind;
        if (kind == "fifo")
        {
            path = System.IO.Path.Combine(directory.Path, "resolv.conf");
            ProcessRunner.Run("mkfifo", [path]).EnsureSuccess();
        }

        Stopwatch elapsed = Stopwatch.StartNew();
        ProcessResult result = CaptureInit.Run(["-i", "*", "--redirect-dns", "--resolv-conf", path, "--dry-run"], timeout: TimeSpan.FromSeconds(30));
        elapsed.Stop();

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("capture-init: --resolv-conf: ");
        elapsed.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
    }

    [RequiresRootTheory]
    [InlineData("/nonexistent-namespace", "No such file or directory")]
    [InlineData("/etc/hostname", "not a network namespace")]
    public void ExplainLive_MissingOrWrongNamespace_OneLine(string path, string expected)
    {
        ProcessResult result = CaptureInit.Run(["explain", "--live", "--network-namespace", path, "--dst", "10.0.0.1:80"]);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("capture-init: --network-namespace: ").And.Contain(expected);
        result.Stderr.Should().NotContain("   at ").And.NotMatchRegex("[A-Z][a-z]+_[A-Z][A-Za-z]+_");
    }

    [RequiresRootFact]
    public void Apply_IptablesNotOnPath_SaysSoInASentenceNotAResourceKey()
    {
        using TestNamespace ns = TestNamespace.Create("hostile");
        using TemporaryDirectory empty = TemporaryDirectory.Create();

        ProcessResult result = CaptureInit.RunTargeting(ns, CaptureInit.DefaultIstioInitArguments, new Dictionary<string, string?> { ["PATH"] = empty.Path });

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Should().NotContain("ErrorStartingProcess").And.NotContain("   at ");
    }
}
