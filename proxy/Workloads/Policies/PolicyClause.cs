namespace Capture.Proxy.Workloads.Policies;

/// <summary>An OR of matches: the clause matches when any of its matches holds.</summary>
internal sealed record PolicyClause(IReadOnlyList<PolicyMatch> Matches);
