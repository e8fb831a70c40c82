namespace Capture.Proxy.Workloads;

/// <summary>
/// ztunnel's local configuration (<c>LOCAL_XDS_PATH</c>): the mesh as one YAML file of workloads, services and
/// authorization policies, read by <see cref="LocalConfigParser"/>.
/// </summary>
internal sealed record LocalConfig
{
    /// <summary>A file with no entries: every destination passes through in plaintext.</summary>
    public static LocalConfig Empty { get; } = new();

    public IReadOnlyList<Workload> Workloads { get; init; } = [];

    public IReadOnlyList<MeshService> Services { get; init; } = [];

    public IReadOnlyList<Policies.AuthorizationPolicy> Policies { get; init; } = [];
}
