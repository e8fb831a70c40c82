using Capture.Proxy.Workloads.Policies;

namespace Capture.Proxy.Authorization;

/// <summary>The policies that apply to one destination workload, split by action and by whether they are enforced.</summary>
internal sealed class PolicySet
{
    public PolicySet(IEnumerable<AuthorizationPolicy> policies)
    {
        List<AuthorizationPolicy> deny = [], allow = [], dryDeny = [], dryAllow = [];
        foreach (AuthorizationPolicy policy in policies)
        {
            List<AuthorizationPolicy> list = (policy.Action, policy.DryRun) switch
            {
                (PolicyAction.Deny, false) => deny,
                (PolicyAction.Allow, false) => allow,
                (PolicyAction.Deny, true) => dryDeny,
                _ => dryAllow,
            };
            list.Add(policy);
        }

        Deny = [.. deny];
        Allow = [.. allow];
        DryRunDeny = [.. dryDeny];
        DryRunAllow = [.. dryAllow];
    }

    public AuthorizationPolicy[] Deny { get; }

    public AuthorizationPolicy[] Allow { get; }

    public AuthorizationPolicy[] DryRunDeny { get; }

    public AuthorizationPolicy[] DryRunAllow { get; }

    public bool IsEmpty => Deny.Length + Allow.Length + DryRunDeny.Length + DryRunAllow.Length == 0;

    /// <summary>
    /// ztunnel's order: a matching Deny denies; else, when Allow policies apply, one must match; else allowed. Then
    /// the same with the dry-run policies counted as enforced, for the log.
    /// </summary>
    public AuthorizationDecision Evaluate(in AuthorizationRequest request)
    {
        (AuthorizationOutcome outcome, AuthorizationPolicy? policy) = Decide(Deny, [], Allow, [], request);
        if (DryRunDeny.Length == 0 && DryRunAllow.Length == 0)
        {
            return new AuthorizationDecision(outcome, policy, outcome, policy);
        }

        (AuthorizationOutcome dryOutcome, AuthorizationPolicy? dryPolicy) = Decide(DryRunDeny, Deny, DryRunAllow, Allow, request);
        return new AuthorizationDecision(outcome, policy, dryOutcome, dryPolicy);
    }

    // The dry-run policies come first so that, when one of them decides the same way as an enforced one, the log names it.
    private static (AuthorizationOutcome, AuthorizationPolicy?) Decide(
        AuthorizationPolicy[] deny, AuthorizationPolicy[] moreDeny, AuthorizationPolicy[] allow, AuthorizationPolicy[] moreAllow,
        in AuthorizationRequest request)
    {
        AuthorizationPolicy? matched = First(deny, request) ?? First(moreDeny, request);
        if (matched is not null)
        {
            return (AuthorizationOutcome.DenyMatched, matched);
        }

        if (allow.Length + moreAllow.Length == 0)
        {
            return (AuthorizationOutcome.NoPolicy, null);
        }

        matched = First(allow, request) ?? First(moreAllow, request);
        return matched is not null ? (AuthorizationOutcome.AllowMatched, matched) : (AuthorizationOutcome.NoAllowMatched, null);
    }

    private static AuthorizationPolicy? First(AuthorizationPolicy[] policies, in AuthorizationRequest request)
    {
        foreach (AuthorizationPolicy policy in policies)
        {
            if (PolicyMatcher.Matches(policy, request))
            {
                return policy;
            }
        }

        return null;
    }
}
