using Capture.Proxy.Workloads.Policies;

namespace Capture.Proxy.Authorization;

/// <summary>
/// What the policies decided for one connection, which policy decided, and what the dry-run policies would have
/// decided had they been enforced. A value type: the common "no policies" answer allocates nothing.
/// </summary>
internal readonly record struct AuthorizationDecision(
    AuthorizationOutcome Outcome, AuthorizationPolicy? Policy, AuthorizationOutcome DryRunOutcome, AuthorizationPolicy? DryRunPolicy)
{
    /// <summary>Allowed, no policy involved.</summary>
    public static AuthorizationDecision NoPolicy => default;

    public bool Allowed => Outcome is AuthorizationOutcome.NoPolicy or AuthorizationOutcome.AllowMatched;

    /// <summary>Dry-run policies took part and, enforced, would have changed the answer.</summary>
    public bool DryRunDiffers => DryRunAllowed != Allowed;

    /// <summary>The answer had the dry-run policies been enforced too.</summary>
    public bool DryRunAllowed => DryRunOutcome is AuthorizationOutcome.NoPolicy or AuthorizationOutcome.AllowMatched;

    /// <summary><c>namespace/name</c> of the deciding policy, or empty (no policy, or no Allow policy matched).</summary>
    public string PolicyKey => Policy?.Key ?? "";

    /// <summary>For logs: e.g. <c>denied by policy default/deny-c</c>, <c>denied: no allow policy matched</c>.</summary>
    public string Describe() => Outcome switch
    {
        AuthorizationOutcome.AllowMatched => "allowed by policy " + PolicyKey,
        AuthorizationOutcome.DenyMatched => "denied by policy " + PolicyKey,
        AuthorizationOutcome.NoAllowMatched => "denied: no allow policy matched",
        _ => "allowed: no policy applies",
    };
}
