namespace Capture.Init.Configuration;

/// <summary>
/// What capture-init reads from the host before building the plan: whether IPv6 is on (with <see cref="Ipv6Mode.Auto"/>)
/// and the DNS servers (with --redirect-dns). Called by the orchestrator, inside the target network namespace.
/// </summary>
internal interface IHostFacts
{
    /// <summary>
    /// <paramref name="options"/> with <see cref="CaptureOptions.Ipv6Enabled"/> and <see cref="CaptureOptions.DnsServers"/>
    /// filled in. Must run on a thread in the pod's network namespace (addresses are per namespace).
    /// </summary>
    CaptureOptions Resolve(CaptureOptions options);
}
