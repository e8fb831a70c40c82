namespace Capture.Init.Configuration;

/// <summary>
/// Finds the <see cref="HostFacts"/> before the plan is built: whether IPv6 is on (with <see cref="Ipv6Mode.Auto"/>) and
/// the DNS servers (with --redirect-dns). Called by the orchestrator, inside the target network namespace.
/// </summary>
internal interface IHostFactsReader
{
    /// <summary>
    /// The facts <paramref name="options"/> ask for. Must run on a thread in the pod's network namespace (addresses are
    /// per namespace).
    /// </summary>
    HostFacts Read(CaptureOptions options);
}
