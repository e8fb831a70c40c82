namespace Capture.Proxy.Workloads;

/// <summary>One entry of the workloads file's <c>services</c> list: a Kubernetes Service and its virtual addresses.</summary>
internal sealed record MeshService
{
    public required string Name { get; init; }

    public required string Namespace { get; init; }

    /// <summary>e.g. <c>reviews.default.svc.cluster.local</c>; workloads name the service as <c>namespace/hostname</c>.</summary>
    public required string Hostname { get; init; }

    public IReadOnlyList<ServiceVip> Vips { get; init; } = [];

    /// <summary>Service port to target port; a workload's own map for the service overrides the target port.</summary>
    public IReadOnlyDictionary<int, int> Ports { get; init; } = new Dictionary<int, int>();

    /// <summary>Identities a server behind this service may present, as full SPIFFE URIs; empty means the workload's own.</summary>
    public IReadOnlyList<string> SubjectAltNames { get; init; } = [];

    /// <summary>The key workloads use for this service in their <c>services</c> map.</summary>
    public string Key => Namespace + "/" + Hostname;
}
