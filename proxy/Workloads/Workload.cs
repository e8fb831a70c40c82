using System.Net;
using Capture.Proxy.Identity;

namespace Capture.Proxy.Workloads;

/// <summary>One entry of the workloads file's <c>workloads</c> list: a pod (or VM) and how to reach it.</summary>
internal sealed record Workload
{
    /// <summary>Unique id, e.g. <c>cluster1//v1/Pod/default/reviews-v1</c>; optional in the file.</summary>
    public string Uid { get; init; } = "";

    public required string Name { get; init; }

    public required string Namespace { get; init; }

    /// <summary>Defaults to <c>default</c>, as in Kubernetes and ztunnel.</summary>
    public string ServiceAccount { get; init; } = "default";

    /// <summary>Trust domain of the workload's identity; empty means the proxy's own (from its certificate).</summary>
    public string TrustDomain { get; init; } = "";

    public IReadOnlyList<IPAddress> WorkloadIps { get; init; } = [];

    /// <summary>Defaults to <see cref="WorkloadProtocol.Tcp"/>, as in ztunnel.</summary>
    public WorkloadProtocol Protocol { get; init; } = WorkloadProtocol.Tcp;

    /// <summary>
    /// Services this workload backs, keyed <c>namespace/hostname</c>, each a map of service port to target port on
    /// this workload.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<int, int>> Services { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<int, int>>();

    /// <summary>WorkloadSelector-scoped policies that apply to this workload, as <c>namespace/name</c>.</summary>
    public IReadOnlyList<string> AuthorizationPolicies { get; init; } = [];

    /// <summary>Descriptive fields ztunnel's files carry; kept for logs, not used for routing.</summary>
    public string Node { get; init; } = "";

    public string Network { get; init; } = "";

    public string CanonicalName { get; init; } = "";

    public string CanonicalRevision { get; init; } = "";

    public string WorkloadName { get; init; } = "";

    public string WorkloadType { get; init; } = "";

    public string ClusterId { get; init; } = "";

    /// <summary>The SPIFFE identity this workload's certificate carries, with <paramref name="defaultTrustDomain"/> when the file names none.</summary>
    public string Identity(string defaultTrustDomain) =>
        SpiffeIdentity.Format(TrustDomain.Length > 0 ? TrustDomain : defaultTrustDomain, Namespace, ServiceAccount);
}
