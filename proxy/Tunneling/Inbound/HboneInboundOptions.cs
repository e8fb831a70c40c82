using Capture.Proxy.Contracts;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>What the 15008 server needs from the proxy's options.</summary>
internal sealed record HboneInboundOptions
{
    /// <summary>Defaults to 15008, Istio's HBONE port.</summary>
    public int Port { get; init; } = 15008;

    public InboundMode Mode { get; init; } = InboundMode.Redirect;

    public int TproxyMark { get; init; } = 1337;

    /// <summary>How long the connect to the app may take before the stream is answered 503.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a client may take to finish the TLS handshake. Defaults to 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Streams one client connection may have open at once (ztunnel's server allows 200).</summary>
    public int MaxStreamsPerConnection { get; init; } = 200;

    /// <summary>Judges each stream by the workloads file's policies before the app is connected; null: every stream is allowed.</summary>
    public Authorization.Authorizer? Authorizer { get; init; }
}
