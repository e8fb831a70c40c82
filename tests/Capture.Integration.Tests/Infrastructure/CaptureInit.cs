namespace Capture.Integration.Tests.Infrastructure;

/// <summary>
/// Runs the published capture-init (<see cref="PublishedExecutables"/>: the Native AOT executable that ships) as a real
/// process, the way an init container would.
/// </summary>
public static class CaptureInit
{
    /// <summary>The istio-init container's default arguments, as the sidecar injector writes them.</summary>
    public static readonly IReadOnlyList<string> DefaultIstioInitArguments =
        ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"];

    /// <summary>
    /// Runs <c>capture-init <paramref name="arguments"/></c> in the test's own namespace (pass <c>--network-namespace</c>
    /// to act on another one). Variables in <paramref name="environment"/> are added (a null value removes one);
    /// ISTIO-style variables of the test host are not cleared, so tests should not rely on them.
    /// </summary>
    public static ProcessResult Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
        => ProcessRunner.Run(PublishedExecutables.CaptureInit, arguments, environment: environment, timeout: timeout);

    /// <summary>Runs capture-init inside <paramref name="ns"/> through <c>ip netns exec</c> (no <c>--network-namespace</c>).</summary>
    public static ProcessResult RunIn(TestNamespace ns, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return ProcessRunner.Run("ip", ["netns", "exec", ns.Name, PublishedExecutables.CaptureInit, .. arguments], environment: environment, timeout: timeout);
    }

    /// <summary>Runs capture-init with <c>--network-namespace <paramref name="ns"/>.Path</c> appended to the arguments.</summary>
    public static ProcessResult RunTargeting(TestNamespace ns, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return Run([.. arguments, "--network-namespace", ns.Path], environment, timeout);
    }
}
