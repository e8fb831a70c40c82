namespace Capture.Integration.Tests.Hbone;

/// <summary>Which addresses <see cref="HbonePods"/> gives the two pods, and so which their workload entries list.</summary>
internal enum PodFamilies
{
    /// <summary>IPv4 only in the workloads file (the veth carries IPv6 too, unused by the mesh).</summary>
    IPv4,

    /// <summary>IPv6 only: no IPv4 on the veth, capture-init's <c>--ipv6 auto</c> finds IPv6 first.</summary>
    IPv6,

    /// <summary>Both: workloadIps and the service's VIPs list both families, capture-init runs with <c>--dual-stack</c>.</summary>
    DualStack,
}
