using Capture.Proxy.Workloads;
using Capture.Proxy.Workloads.Policies;

namespace Capture.Proxy.Authorization;

/// <summary>
/// The policies of one version of the workloads file, sorted by the workload they apply to (ztunnel's scopes):
/// Global applies to every workload, Namespace to the workloads of the policy's namespace, WorkloadSelector to the
/// workloads naming it (<c>namespace/name</c>) in their <c>authorizationPolicies</c>. Immutable; a new file gives a new
/// table.
/// </summary>
internal sealed class PolicyTable
{
    private readonly Dictionary<Workload, PolicySet> _byWorkload = new(ReferenceEqualityComparer.Instance);

    public PolicyTable(LocalConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        IsEmpty = config.Policies.Count == 0;
        List<AuthorizationPolicy> global = [];
        foreach (AuthorizationPolicy policy in config.Policies)
        {
            if (policy.Scope == PolicyScope.Global)
            {
                global.Add(policy);
            }
        }

        Unknown = new PolicySet(global);
        foreach (Workload workload in config.Workloads)
        {
            List<AuthorizationPolicy> applying = [];
            foreach (AuthorizationPolicy policy in config.Policies)
            {
                if (AppliesTo(policy, workload))
                {
                    applying.Add(policy);
                }
            }

            _byWorkload[workload] = new PolicySet(applying);
        }
    }

    public static PolicyTable Empty { get; } = new(LocalConfig.Empty);

    /// <summary>The file has no policies at all: every connection is allowed without looking further.</summary>
    public bool IsEmpty { get; }

    /// <summary>What applies to a destination the file does not name: the Global policies only.</summary>
    public PolicySet Unknown { get; }

    public static bool AppliesTo(AuthorizationPolicy policy, Workload workload) => policy.Scope switch
    {
        PolicyScope.Global => true,
        PolicyScope.Namespace => string.Equals(policy.Namespace, workload.Namespace, StringComparison.Ordinal),
        _ => Names(workload, policy.Key),
    };

    /// <summary>The policies that apply to <paramref name="destination"/> (null: a destination the file does not name).</summary>
    public PolicySet For(Workload? destination) =>
        destination is not null && _byWorkload.TryGetValue(destination, out PolicySet? set) ? set : Unknown;

    public AuthorizationDecision Evaluate(Workload? destination, in AuthorizationRequest request) =>
        IsEmpty ? AuthorizationDecision.NoPolicy : For(destination).Evaluate(request);

    private static bool Names(Workload workload, string key)
    {
        foreach (string named in workload.AuthorizationPolicies)
        {
            if (string.Equals(named, key, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
