using System.Net;

namespace Capture.Proxy.Workloads;

/// <summary>
/// Where an outbound connection goes when the workloads file knows its destination. (An unknown destination has no
/// route: it passes through to its original destination, as without the file.)
/// </summary>
internal sealed record OutboundRoute
{
    public required OutboundRouteKind Kind { get; init; }

    /// <summary>The workload address and target port: the CONNECT authority for a tunnel, the address to dial otherwise.</summary>
    public required IPEndPoint Target { get; init; }

    public required Workload Workload { get; init; }

    /// <summary>The service when the original destination was its VIP.</summary>
    public MeshService? Service { get; init; }

    /// <summary>For a tunnel: the SPIFFE identities the server may present (any one of them is accepted).</summary>
    public IReadOnlyList<string> ExpectedIdentities { get; init; } = [];
}
