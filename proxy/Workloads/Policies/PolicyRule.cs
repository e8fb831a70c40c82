namespace Capture.Proxy.Workloads.Policies;

/// <summary>An AND of clauses: the rule matches when every clause matches.</summary>
internal sealed record PolicyRule(IReadOnlyList<PolicyClause> Clauses);
