namespace Capture.Proxy.Tunneling.Http2;

/// <summary>The response to a CONNECT: <see cref="Stream"/> is set only for a 2xx status; otherwise the stream is already closed.</summary>
internal readonly record struct Http2ConnectResult(int Status, Http2Stream? Stream);
