namespace Capture.Integration.Tests.Explain;

/// <summary>Where a shape's connection goes; <see cref="ExplainLab"/> turns it into an address of the topology.</summary>
public enum ShapeTarget
{
    PeerV4,
    PeerV6,
    ExcludedV4,
    IncludedV4,
    DnsV4,
    OtherDnsV4,
    DnsV6,
    PodV4,
    PodV6,
    Pod2V4,
    Peer2V4,
    LoopbackV4,
    LoopbackV6,
}

/// <summary>One connection the test sends for real and asks explain about.</summary>
/// <param name="Name">Short name for messages.</param>
/// <param name="Inbound">Sent from the peer into the pod (else from inside the pod).</param>
/// <param name="Udp">udp (one datagram) instead of tcp.</param>
/// <param name="Target">Where it goes.</param>
/// <param name="Port">Destination port.</param>
/// <param name="Uid">UID of the sending process (pod side).</param>
/// <param name="Gid">GID of the sending process (pod side).</param>
public sealed record ConnectionShape(string Name, bool Inbound, bool Udp, ShapeTarget Target, int Port, uint Uid = 0, uint Gid = 0)
{
    /// <summary>
    /// The shapes every configuration is probed with: included and excluded ports and CIDRs, proxy and other UIDs/GIDs,
    /// loopback (127.0.0.1, the pod's own address over lo), DNS over udp and tcp, inbound from the peer on both
    /// interfaces, non-DNS udp, IPv6. Whatever a configuration does not address still has to be left alone, and is checked.
    /// </summary>
    public static IReadOnlyList<ConnectionShape> All { get; } =
    [
        new("out-80", false, false, ShapeTarget.PeerV4, 80),
        new("out-excluded-port-9090", false, false, ShapeTarget.PeerV4, 9090),
        new("out-port-3306", false, false, ShapeTarget.PeerV4, 3306),
        new("out-uid1337", false, false, ShapeTarget.PeerV4, 80, 1337, 1337),
        new("out-uid2000", false, false, ShapeTarget.PeerV4, 80, 2000, 2000),
        new("out-uid3000-gid2500", false, false, ShapeTarget.PeerV4, 80, 3000, 2500),
        new("out-uid3001-gid3000", false, false, ShapeTarget.PeerV4, 80, 3001, 3000),
        new("out-uid4000-gid1337", false, false, ShapeTarget.PeerV4, 80, 4000, 1337),
        new("out-excluded-cidr", false, false, ShapeTarget.ExcludedV4, 80),
        new("out-included-cidr", false, false, ShapeTarget.IncludedV4, 80),
        new("out-loopback", false, false, ShapeTarget.LoopbackV4, 8080),
        new("out-self-uid1337", false, false, ShapeTarget.PodV4, 8080, 1337, 1337),
        new("out-self-uid0", false, false, ShapeTarget.PodV4, 8080),
        new("dns-udp", false, true, ShapeTarget.DnsV4, 53, 1000, 1000),
        new("dns-tcp", false, false, ShapeTarget.DnsV4, 53, 1000, 1000),
        new("dns-udp-other-server", false, true, ShapeTarget.OtherDnsV4, 53, 1000, 1000),
        new("dns-udp-uid1337", false, true, ShapeTarget.DnsV4, 53, 1337, 1337),
        new("out-udp-9090", false, true, ShapeTarget.PeerV4, 9090),
        new("in-9080", true, false, ShapeTarget.PodV4, 9080),
        new("in-15090", true, false, ShapeTarget.PodV4, 15090),
        new("in-tunnel-15008", true, false, ShapeTarget.PodV4, 15008),
        new("in-8080", true, false, ShapeTarget.PodV4, 8080),
        new("in-eth1-9080", true, false, ShapeTarget.Pod2V4, 9080),
        new("out-eth1-80", false, false, ShapeTarget.Peer2V4, 80),
        new("out6-80", false, false, ShapeTarget.PeerV6, 80),
        new("out6-uid1337", false, false, ShapeTarget.PeerV6, 80, 1337, 1337),
        new("in6-9080", true, false, ShapeTarget.PodV6, 9080),
        new("dns6-udp", false, true, ShapeTarget.DnsV6, 53, 1000, 1000),
        new("out6-loopback", false, false, ShapeTarget.LoopbackV6, 8080),
        new("out6-self-uid1337", false, false, ShapeTarget.PodV6, 8080, 1337, 1337),
    ];

    public override string ToString() => Name;
}
