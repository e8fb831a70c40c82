namespace Capture.Proxy.Tunneling.Outbound;

/// <summary>The answer to a CONNECT: the status, and for 2xx the stream (duplex bytes) and how to end or reset it.</summary>
internal readonly record struct TunnelConnectResult(int Status, Stream? Stream, ITunnelStreamEnd? End);
