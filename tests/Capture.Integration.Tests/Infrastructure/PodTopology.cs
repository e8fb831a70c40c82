using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace Capture.Integration.Tests.Infrastructure;

/// <summary>
/// A "pod" namespace and a "peer" namespace joined by a veth pair (<c>eth0</c> on both sides), each with an IPv4
/// address in a random 10.a.b.0/24 and an IPv6 address in a random fd00:a:b::/64 (added with <c>nodad</c>, so usable at
/// once), and default routes pointing at each other: any address outside the pod is reached through the peer.
/// <c>ipv4: false</c> leaves IPv4 off the veth (IPv6-only pods: their first address is IPv6, as capture-init's
/// <c>--ipv6 auto</c> detects it).
/// </summary>
public sealed class PodTopology : IDisposable
{
    private PodTopology(TestNamespace pod, TestNamespace peer, byte a, byte b, bool ipv4)
    {
        HasIPv4 = ipv4;
        Pod = pod;
        Peer = peer;
        PodIPv4 = IPAddress.Parse($"10.{a}.{b}.1");
        PeerIPv4 = IPAddress.Parse($"10.{a}.{b}.2");
        PodIPv6 = IPAddress.Parse(string.Format(CultureInfo.InvariantCulture, "fd00:{0:x}:{1:x}::1", a, b));
        PeerIPv6 = IPAddress.Parse(string.Format(CultureInfo.InvariantCulture, "fd00:{0:x}:{1:x}::2", a, b));
    }

    /// <summary>The pod's namespace: where capture rules go.</summary>
    public TestNamespace Pod { get; }

    /// <summary>The other end of the wire: servers "outside the pod" and clients dialing into it.</summary>
    public TestNamespace Peer { get; }

    /// <summary>Whether the veth carries the IPv4 addresses (false: IPv6 only).</summary>
    public bool HasIPv4 { get; }

    /// <summary>The pod's IPv4 address (10.a.b.1, /24 on the pod's eth0; not on it when <see cref="HasIPv4"/> is false).</summary>
    public IPAddress PodIPv4 { get; }

    /// <summary>The peer's IPv4 address (10.a.b.2).</summary>
    public IPAddress PeerIPv4 { get; }

    /// <summary>The pod's IPv6 address (fd00:a:b::1, /64).</summary>
    public IPAddress PodIPv6 { get; }

    /// <summary>The peer's IPv6 address (fd00:a:b::2).</summary>
    public IPAddress PeerIPv6 { get; }

    /// <summary>Creates both namespaces (<c>cap-&lt;prefix&gt;pod-…</c>, <c>cap-&lt;prefix&gt;peer-…</c>) and wires them.</summary>
    public static PodTopology Create(string prefix, bool ipv4 = true)
    {
        byte[] random = RandomNumberGenerator.GetBytes(2);
        TestNamespace pod = TestNamespace.Create(prefix + "pod");
        TestNamespace? peer = null;
        try
        {
            peer = TestNamespace.Create(prefix + "peer");
            PodTopology topology = new(pod, peer, random[0], random[1], ipv4);
            // The peer end is created directly in the peer namespace, so both sides can be called eth0, as in a pod.
            pod.Ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", peer.Name).EnsureSuccess();
            Configure(pod, topology.PodIPv4, topology.PodIPv6, topology.PeerIPv4, topology.PeerIPv6, ipv4);
            Configure(peer, topology.PeerIPv4, topology.PeerIPv6, topology.PodIPv4, topology.PodIPv6, ipv4);
            return topology;
        }
        catch
        {
            peer?.Dispose();
            pod.Dispose();
            throw;
        }
    }

    /// <summary>Deletes both namespaces (the veth pair goes with them).</summary>
    public void Dispose()
    {
        Pod.Dispose();
        Peer.Dispose();
    }

    private static void Configure(TestNamespace ns, IPAddress ipv4, IPAddress ipv6, IPAddress gatewayV4, IPAddress gatewayV6, bool withIPv4)
    {
        // One ip process per namespace: -batch reads the commands from stdin and stops at the first failure.
        string batch = withIPv4
            ? string.Join('\n',
                $"addr add {ipv4}/24 dev eth0",
                $"addr add {ipv6}/64 dev eth0 nodad",
                "link set eth0 up",
                $"route add default via {gatewayV4} dev eth0",
                $"route add default via {gatewayV6} dev eth0")
            : string.Join('\n',
                $"addr add {ipv6}/64 dev eth0 nodad",
                "link set eth0 up",
                $"route add default via {gatewayV6} dev eth0");
        ProcessRunner.Run("ip", ["-n", ns.Name, "-batch", "-"], batch).EnsureSuccess();
    }
}
