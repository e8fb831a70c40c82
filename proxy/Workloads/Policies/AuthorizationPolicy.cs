namespace Capture.Proxy.Workloads.Policies;

/// <summary>
/// One entry of the workloads file's <c>policies</c> list (ztunnel's <c>Authorization</c>, <c>src/rbac.rs</c>).
/// Only the model lives here; deciding whether a connection is allowed is the L4 policy evaluator's job.
/// </summary>
internal sealed record AuthorizationPolicy
{
    public required string Name { get; init; }

    public required string Namespace { get; init; }

    public PolicyScope Scope { get; init; } = PolicyScope.Global;

    public PolicyAction Action { get; init; } = PolicyAction.Allow;

    /// <summary>A dry-run policy is evaluated and logged, never enforced.</summary>
    public bool DryRun { get; init; }

    /// <summary>OR of rules: the policy matches when any rule matches; no rules match nothing.</summary>
    public IReadOnlyList<PolicyRule> Rules { get; init; } = [];

    /// <summary>How workloads name this policy in their <c>authorizationPolicies</c> list.</summary>
    public string Key => Namespace + "/" + Name;
}
