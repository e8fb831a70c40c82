using Capture.Proxy.Contracts;
using Capture.Proxy.Logging;
using Capture.Proxy.Metrics;
using Capture.Proxy.Tunneling;
using Capture.Proxy.Tunneling.Tls;

namespace Capture.Proxy.Hosting;

/// <summary>HBONE events into <see cref="HboneMetrics"/>, and inbound stream summaries into the access log.</summary>
internal sealed class HboneEventSink(HboneMetrics metrics, AccessLog accessLog) : IHboneEvents
{
    public void HandshakeCompleted(TrafficDirection direction, TlsFailure failure) => metrics.HandshakeCompleted(direction, failure);

    public void StreamOpened(TrafficDirection direction) => metrics.StreamOpened(direction);

    public void StreamFailed(TrafficDirection direction, TunnelFailure failure) => metrics.StreamFailed(direction, failure);

    public void BytesTunnelled(TrafficDirection direction, long upstream, long downstream) => metrics.BytesTunnelled(direction, upstream, downstream);

    public void StreamClosed(TunnelStreamSummary summary)
    {
        if (summary.Status == 200)
        {
            metrics.StreamEnded(summary.Direction);
        }

        // Outbound tunnelled connections are handed-off engine connections: their line comes from the engine's summary.
        if (summary.Direction == TrafficDirection.Inbound)
        {
            accessLog.Write(summary);
        }
    }

    public void PooledConnectionsChanged(int delta) => metrics.PooledConnectionsChanged(delta);
}
