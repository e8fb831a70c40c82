using System.Net;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>Who is at the other end of an inbound tunnel connection: its verified identity and address.</summary>
internal sealed record InboundPeer(string Identity, IPEndPoint Address)
{
    /// <summary>Key of this record in the connection's items (<c>IConnectionItemsFeature</c>).</summary>
    public static readonly object ItemKey = new();
}
