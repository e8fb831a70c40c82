using System.Net;

namespace Capture.Proxy.Contracts;

/// <summary>How a connection travelled when it went through an HBONE tunnel: who the peer was and where.</summary>
internal sealed record TunnelDetails(string PeerIdentity, IPEndPoint TunnelPeer);
