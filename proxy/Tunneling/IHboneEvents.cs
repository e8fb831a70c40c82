using Capture.Proxy.Contracts;
using Capture.Proxy.Tunneling.Tls;

namespace Capture.Proxy.Tunneling;

/// <summary>What the HBONE paths report, for metrics and the access log. Thread-safe, fast, must not throw.</summary>
internal interface IHboneEvents
{
    /// <summary>A TLS handshake of a tunnel connection ended: <see cref="TlsFailure.None"/> when the peer was accepted.</summary>
    void HandshakeCompleted(TrafficDirection direction, TlsFailure failure);

    /// <summary>A CONNECT stream was answered 200 and carries bytes.</summary>
    void StreamOpened(TrafficDirection direction);

    /// <summary>A tunnelled connection could not be set up.</summary>
    void StreamFailed(TrafficDirection direction, TunnelFailure failure);

    /// <summary>Bytes moved through a tunnel stream since its last report.</summary>
    void BytesTunnelled(TrafficDirection direction, long upstream, long downstream);

    /// <summary>Every tunnelled connection (opened or failed) ends here exactly once.</summary>
    void StreamClosed(TunnelStreamSummary summary);

    /// <summary>A pooled outbound tunnel connection was opened (+1) or closed (-1).</summary>
    void PooledConnectionsChanged(int delta);
}
