namespace Capture.Init.Rules;

/// <summary>The address family a rule is loaded for: IPv4 through iptables-restore, IPv6 through ip6tables-restore.</summary>
internal enum IpFamily
{
    /// <summary>IPv4 (iptables).</summary>
    V4,

    /// <summary>IPv6 (ip6tables).</summary>
    V6,
}
