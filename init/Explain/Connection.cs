using System.Net;
using System.Net.Sockets;

namespace Capture.Init.Explain;

/// <summary>
/// The connection <c>capture-init explain</c> follows through the rules: its first packet, as the kernel sees it when
/// the first hook runs (after the routing decision for locally generated packets, so the output interface is known).
/// </summary>
internal sealed record Connection
{
    /// <summary>Locally generated (default) or arriving from the network.</summary>
    public ConnectionDirection Direction { get; init; } = ConnectionDirection.Outbound;

    /// <summary>tcp (default) or udp.</summary>
    public TransportProtocol Protocol { get; init; } = TransportProtocol.Tcp;

    /// <summary>Source address. Null: the unspecified address of the family (matches no <c>-s</c>, every <c>! -s</c>).</summary>
    public IPAddress? Source { get; init; }

    /// <summary>Source port. Default 40000, an ephemeral port no capture rule names.</summary>
    public int SourcePort { get; init; } = DefaultSourcePort;

    /// <summary>Destination address; its family picks the IPv4 or the IPv6 rules.</summary>
    public required IPAddress Destination { get; init; }

    /// <summary>Destination port.</summary>
    public required int DestinationPort { get; init; }

    /// <summary>UID of the sending process (outbound only: the owner match exists only in OUTPUT). Default 0.</summary>
    public uint Uid { get; init; }

    /// <summary>GID of the sending process (its fsgid, what <c>--gid-owner</c> compares). Default 0.</summary>
    public uint Gid { get; init; }

    /// <summary>Interface the packet arrives on (inbound). Default <see cref="DefaultInterface"/>; "lo" on loopback re-entry.</summary>
    public string? InInterface { get; init; }

    /// <summary>Interface the route sends it out of (outbound). Default "lo" for a loopback destination, else <see cref="DefaultInterface"/>.</summary>
    public string? OutInterface { get; init; }

    /// <summary>Follow a packet of an established connection instead of the first one: nat is skipped, conntrack says ESTABLISHED.</summary>
    public bool Established { get; init; }

    /// <summary>The pod's interface name when none is given: what Kubernetes CNIs name it.</summary>
    public const string DefaultInterface = "eth0";

    /// <summary>A port from the ephemeral range, used when no source port is given.</summary>
    public const int DefaultSourcePort = 40000;

    public AddressFamily Family => Destination.AddressFamily;

    public IPAddress EffectiveSource => Source ?? (Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any);

    public string EffectiveInInterface => InInterface ?? DefaultInterface;

    public string EffectiveOutInterface => OutInterface ?? (IPAddress.IsLoopback(Destination) ? LoopbackInterface : DefaultInterface);

    public const string LoopbackInterface = "lo";

    /// <summary>Problems with the description (mixed families, ports out of range), for a one-line error.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> problems = [];
        if (Source is not null && Source.AddressFamily != Destination.AddressFamily)
        {
            problems.Add($"--src {Source} and --dst {Destination} are not the same address family");
        }

        if (DestinationPort is < 1 or > 65535)
        {
            problems.Add($"destination port {DestinationPort} is outside 1-65535");
        }

        if (SourcePort is < 1 or > 65535)
        {
            problems.Add($"source port {SourcePort} is outside 1-65535");
        }

        return problems;
    }
}
