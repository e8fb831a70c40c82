using Capture.Integration.Tests.Proxy;

namespace Capture.Integration.Tests.Infrastructure;

/// <summary>
/// The integration tests run what ships: the Native AOT executables in artifacts/bin. Each program says how it runs
/// (Native AOT when the JIT has compiled nothing), so these fail if a JIT build (a framework-dependent apphost, a
/// ReadyToRun single file) is put where the published executable belongs.
/// </summary>
public sealed class PublishedExecutablesTests
{
    [Fact]
    public void CaptureInit_Version_SaysNativeAotAndHasNoManagedAssemblyBesideIt()
    {
        ProcessResult result = CaptureInit.Run(["--version"], timeout: TimeSpan.FromSeconds(30));

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stdout.TrimEnd().Should().EndWith("(Native AOT)", result.ToString());
        File.Exists(Path.Combine(PublishedExecutables.Directory, "capture-init.dll")).Should().BeFalse();
        File.Exists(Path.Combine(PublishedExecutables.Directory, "capture-init.runtimeconfig.json")).Should().BeFalse();
    }

    [RequiresRootFact(Tools = ["setpriv"])]
    public async Task CaptureProxy_ReadyLine_SaysNativeAot()
    {
        using TestNamespace pod = TestNamespace.Create("aot");

        using ProxyProcess proxy = await ProxyProcess.StartAsync(pod, ["--workers", "1"]);
        // Readiness answers 200 as the Ready line is logged; the line may reach stdout a moment later.
        long started = TimeProvider.System.GetTimestamp();
        while (!proxy.Output.Contains("Ready:", StringComparison.Ordinal) && TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        proxy.Output.Should().Contain("Ready: outbound on 15001, inbound on 15006 (Redirect), 1 workers, Native AOT");
        File.Exists(Path.Combine(PublishedExecutables.Directory, "capture-proxy.dll")).Should().BeFalse();
    }
}
