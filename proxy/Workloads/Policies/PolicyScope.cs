namespace Capture.Proxy.Workloads.Policies;

/// <summary>Which workloads an <see cref="AuthorizationPolicy"/> applies to.</summary>
internal enum PolicyScope
{
    /// <summary>Every workload.</summary>
    Global,

    /// <summary>Workloads in the policy's namespace.</summary>
    Namespace,

    /// <summary>Workloads that name the policy (<c>namespace/name</c>) in their <c>authorizationPolicies</c>.</summary>
    WorkloadSelector,
}
