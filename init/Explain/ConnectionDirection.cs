namespace Capture.Init.Explain;

/// <summary>Where the first packet of a connection comes from, which decides the netfilter hooks it crosses.</summary>
internal enum ConnectionDirection
{
    /// <summary>Locally generated (a process in the pod connects out): OUTPUT then POSTROUTING, plus PREROUTING again on loopback.</summary>
    Outbound,

    /// <summary>Arriving from the network (a peer connects to the pod): PREROUTING then INPUT.</summary>
    Inbound,
}
