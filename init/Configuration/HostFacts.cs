using System.Net;

namespace Capture.Init.Configuration;

/// <summary>
/// What capture-init finds on the host at start, inside the pod's network namespace, before building the rules: whether
/// IPv6 is on (<c>--ipv6</c>, detected when auto) and the DNS servers (read only with <c>--redirect-dns</c>).
/// </summary>
/// <param name="Ipv6Enabled">IPv6 rules are made: <c>--ipv6 true</c>, or auto and the namespace has IPv6 as Istio detects it.</param>
/// <param name="DnsServers">The nameservers of <paramref name="ResolvConfPath"/>, in file order.</param>
/// <param name="ResolvConfPath">Where <paramref name="DnsServers"/> came from (named when it lists none).</param>
internal sealed record HostFacts(bool Ipv6Enabled, IReadOnlyList<IPAddress> DnsServers, string ResolvConfPath)
{
    /// <summary>IPv4 only and no DNS servers: what a host without IPv6 and with an empty resolv.conf gives.</summary>
    public static HostFacts None { get; } = new(false, [], RunOptions.Default.ResolvConfPath);
}
