namespace Capture.Proxy.Tunneling;

/// <summary>How a relay between an app socket and a tunnel stream ended, and what it moved.</summary>
internal readonly record struct TunnelRelayResult(TunnelRelayEnd End, long SocketToTunnel, long TunnelToSocket, string Detail);
