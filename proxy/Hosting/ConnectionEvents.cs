using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Capture.Proxy.Logging;
using Capture.Proxy.Metrics;

namespace Capture.Proxy.Hosting;

/// <summary>
/// The engine's event sink: counters for Prometheus, and one access-log line per finished connection. Called on the
/// event-loop threads, so nothing here blocks, throws, or allocates unless the access log is on.
/// </summary>
internal sealed class ConnectionEvents(ProxyMetrics metrics, AccessLog accessLog) : IProxyEvents
{
    public ProxyMetrics Metrics => metrics;

    public AccessLog AccessLog => accessLog;

    public void ConnectionAccepted(in ConnectionInfo connection) => metrics.ConnectionAccepted(connection.Direction);

    public void UpstreamConnected(in ConnectionInfo connection, TimeSpan connectDuration, int attempts) =>
        metrics.UpstreamConnected(connection.Direction);

    public void ConnectFailed(in ConnectionInfo connection, ConnectFailure cause, Errno error, int attempts) =>
        metrics.ConnectFailed(connection.Direction, cause);

    public void LoopRefused(in ConnectionInfo connection) => metrics.LoopRefused(connection.Direction);

    public void AcceptFailed(TrafficDirection direction, Errno error) => metrics.AcceptFailed(direction, error);

    public void BytesRelayed(in ConnectionInfo connection, long upstream, long downstream, long spliced, long copied) =>
        metrics.BytesRelayed(connection.Direction, upstream, downstream, spliced, copied);

    public void ConnectionClosed(in ConnectionSummary summary)
    {
        metrics.ConnectionClosed(summary);
        accessLog.Write(summary);
    }
}
