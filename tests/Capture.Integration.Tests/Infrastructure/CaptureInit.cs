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

    /// <summary>
    /// capture-init.dll in init's own build output (recorded at build time), where its runtimeconfig and every dependency
    /// sit beside it exactly as the build produced them. This project's output has a copy of capture-init.dll too, but
    /// without the Microsoft.Extensions.* assemblies (the proxy reference brings them as the ASP.NET Core framework).
    /// </summary>
    public static string AssemblyPath { get; } = LocateAssembly();

    /// <summary>
    /// Runs <c>dotnet capture-init.dll <paramref name="arguments"/></c> in the test's own namespace (pass
    /// <c>--network-namespace</c> to act on another one). Variables in <paramref name="environment"/> are added (a null
    /// value removes one); ISTIO-style variables of the test host are not cleared, so tests should not rely on them.
    /// </summary>
    public static ProcessResult Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
        => ProcessRunner.Run(DotnetHost, [.. HostArguments, .. arguments], environment: environment, timeout: timeout);

    /// <summary>Runs capture-init inside <paramref name="ns"/> through <c>ip netns exec</c> (no <c>--network-namespace</c>).</summary>
    public static ProcessResult RunIn(TestNamespace ns, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return ProcessRunner.Run("ip", ["netns", "exec", ns.Name, DotnetHost, .. HostArguments, .. arguments], environment: environment, timeout: timeout);
    }

    /// <summary>Runs capture-init with <c>--network-namespace <paramref name="ns"/>.Path</c> appended to the arguments.</summary>
    public static ProcessResult RunTargeting(TestNamespace ns, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return Run([.. arguments, "--network-namespace", ns.Path], environment, timeout);
    }

    /// <summary>The host arguments before capture-init's own: <c>exec</c> with this test's runtimeconfig for the fallback copy.</summary>
    private static IReadOnlyList<string> HostArguments { get; } =
        System.IO.Path.GetDirectoryName(AssemblyPath) == System.IO.Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)
            ? ["exec", "--runtimeconfig", System.IO.Path.Combine(AppContext.BaseDirectory, "Capture.Integration.Tests.runtimeconfig.json"),
               "--depsfile", System.IO.Path.Combine(AppContext.BaseDirectory, "Capture.Integration.Tests.deps.json"), AssemblyPath]
            : [AssemblyPath];

    private static string LocateAssembly()
    {
        string? directory = typeof(CaptureInit).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "CaptureInitDirectory")?.Value;
        string ownOutput = directory is null ? string.Empty : System.IO.Path.Combine(directory, "capture-init.dll");
        // Fallback (init's output moved or cleaned): the copy in this project's output, run with this project's
        // runtimeconfig and deps, which do include the ASP.NET Core framework and so the logging assemblies.
        return File.Exists(ownOutput) ? ownOutput : System.IO.Path.Combine(AppContext.BaseDirectory, "capture-init.dll");
    }

    /// <summary>
    /// The dotnet host running this test (the SDK sets DOTNET_HOST_PATH for test runs), else <c>dotnet</c> on PATH.
    /// </summary>
    public static string DotnetHost { get; } =
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : TestRequirements.FindOnPath("dotnet") ?? "dotnet";
}
