namespace Capture.Integration.Tests.Infrastructure;

/// <summary>
/// Runs the capture-init built with this test project (the project reference puts capture-init.dll and its
/// runtimeconfig in the test output) as a real process, the way an init container would.
/// </summary>
public static class CaptureInit
{
    /// <summary>The istio-init container's default arguments, as the sidecar injector writes them.</summary>
    public static readonly IReadOnlyList<string> DefaultIstioInitArguments =
        ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"];

    /// <summary>Path of capture-init.dll next to the test assembly.</summary>
    public static string AssemblyPath { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "capture-init.dll");

    /// <summary>
    /// Runs <c>dotnet capture-init.dll <paramref name="arguments"/></c> in the test's own namespace (pass
    /// <c>--network-namespace</c> to act on another one). Variables in <paramref name="environment"/> are added (a null
    /// value removes one); ISTIO-style variables of the test host are not cleared, so tests should not rely on them.
    /// </summary>
    public static ProcessResult Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
        => ProcessRunner.Run(DotnetHost, [AssemblyPath, .. arguments], environment: environment, timeout: timeout);

    /// <summary>Runs capture-init inside <paramref name="ns"/> through <c>ip netns exec</c> (no <c>--network-namespace</c>).</summary>
    public static ProcessResult RunIn(TestNamespace ns, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return ProcessRunner.Run("ip", ["netns", "exec", ns.Name, DotnetHost, AssemblyPath, .. arguments], environment: environment, timeout: timeout);
    }

    /// <summary>Runs capture-init with <c>--network-namespace <paramref name="ns"/>.Path</c> appended to the arguments.</summary>
    public static ProcessResult RunTargeting(TestNamespace ns, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return Run([.. arguments, "--network-namespace", ns.Path], environment, timeout);
    }

    /// <summary>
    /// The dotnet host running this test (the SDK sets DOTNET_HOST_PATH for test runs), else <c>dotnet</c> on PATH.
    /// </summary>
    public static string DotnetHost { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : TestRequirements.FindOnPath("dotnet") ?? "dotnet";
}
