using System.Net;
using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>
/// The packet as the simulator carries it from hook to hook: addresses and ports that nat rewrites, the fwmark and
/// connmark that MARK/CONNMARK/TPROXY change (and later rules see), the conntrack state and zone.
/// </summary>
internal sealed class PacketState
{
    public PacketState(Connection connection)
    {
        Connection = connection;
        Source = connection.EffectiveSource;
        SourcePort = connection.SourcePort;
        Destination = connection.Destination;
        DestinationPort = connection.DestinationPort;
        State = connection.Established ? ConntrackStates.Established : ConntrackStates.New;
    }

    public Connection Connection { get; }

    public IPAddress Source { get; set; }

    public int SourcePort { get; set; }

    public IPAddress Destination { get; set; }

    public int DestinationPort { get; set; }

    /// <summary>Interface the packet came in on; null while it is locally generated (OUTPUT, POSTROUTING).</summary>
    public string? InInterface { get; set; }

    /// <summary>Interface routing chose; null before the input routing decision (PREROUTING).</summary>
    public string? OutInterface { get; set; }

    /// <summary>Whether the sending socket is known (OUTPUT, POSTROUTING): only then can <c>-m owner</c> match.</summary>
    public bool HasOwner { get; set; }

    public uint Mark { get; set; }

    public uint ConnectionMark { get; set; }

    public ConntrackStates State { get; set; }

    /// <summary>The conntrack zone a raw-table <c>CT --zone</c> put the connection in; null = zone 0, the default.</summary>
    public int? Zone { get; set; }

    /// <summary>Once conntrack has attached an entry, <c>CT</c> no longer changes it (xt_CT returns early on a tracked skb).</summary>
    public bool Tracked { get; set; }

    /// <summary>Set once a nat rule decided the destination (REDIRECT): nat is consulted once per connection.</summary>
    public bool DestinationNatDone { get; set; }
}
