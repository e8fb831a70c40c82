namespace Capture.Init.Cli;

/// <summary>Environment variables that have no flag (docs/rules.md, "Inputs").</summary>
internal static class EnvironmentNames
{
    public const string OwnerGroups = "ISTIO_OUTBOUND_OWNER_GROUPS";
    public const string OwnerGroupsExclude = "ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE";
    public const string Ipv4LoopbackCidr = "ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR";
    public const string EnvoyUser = "ENVOY_USER";

    /// <summary>istio-iptables' default for <see cref="EnvoyUser"/>.</summary>
    public const string DefaultEnvoyUser = "istio-proxy";

    /// <summary>The proxy uid when <see cref="EnvoyUser"/> is not in /etc/passwd.</summary>
    public const string DefaultProxyId = "1337";
}
