namespace Capture.Proxy.Workloads.Policies;

/// <summary>What a matching <see cref="AuthorizationPolicy"/> does.</summary>
internal enum PolicyAction
{
    Allow,
    Deny,
}
