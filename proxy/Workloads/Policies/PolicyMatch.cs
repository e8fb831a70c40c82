using System.Net;

namespace Capture.Proxy.Workloads.Policies;

/// <summary>
/// A set of conditions on a connection: every non-empty field must hold (any value of it may match), and every
/// non-empty <c>Not*</c> field must match none of its values. Principals are identities without <c>spiffe://</c>.
/// </summary>
internal sealed record PolicyMatch
{
    public IReadOnlyList<StringMatch> Namespaces { get; init; } = [];

    public IReadOnlyList<StringMatch> NotNamespaces { get; init; } = [];

    public IReadOnlyList<StringMatch> Principals { get; init; } = [];

    public IReadOnlyList<StringMatch> NotPrincipals { get; init; } = [];

    public IReadOnlyList<ServiceAccountMatch> ServiceAccounts { get; init; } = [];

    public IReadOnlyList<ServiceAccountMatch> NotServiceAccounts { get; init; } = [];

    public IReadOnlyList<IPNetwork> SourceIps { get; init; } = [];

    public IReadOnlyList<IPNetwork> NotSourceIps { get; init; } = [];

    public IReadOnlyList<IPNetwork> DestinationIps { get; init; } = [];

    public IReadOnlyList<IPNetwork> NotDestinationIps { get; init; } = [];

    public IReadOnlyList<int> DestinationPorts { get; init; } = [];

    public IReadOnlyList<int> NotDestinationPorts { get; init; } = [];
}
