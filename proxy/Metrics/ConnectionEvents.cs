using Capture.Proxy.Logging;

namespace Capture.Proxy.Metrics;

/// <summary>
/// Where the relay engine reports what happens to connections: counters for Prometheus, and one access-log line per
/// finished connection. Called from the event loops, so nothing here blocks or allocates unless the access log is on.
/// </summary>
internal sealed class ConnectionEvents(ProxyMetrics metrics, AccessLog accessLog)
{
    public ProxyMetrics Metrics => metrics;

    public void Accepted(TrafficDirection direction) => metrics.ConnectionAccepted(direction);

    public void AcceptFailed(FailureCause cause) => metrics.AcceptFailed(cause);

    public void ConnectAttemptFailed(TrafficDirection direction, FailureCause cause) => metrics.ConnectAttemptFailed(direction, cause);

    public void LoopRefused(TrafficDirection direction) => metrics.LoopRefused(direction);

    public void PipePoolChanged(long idlePipes, long leasedPipes) => metrics.PipePoolChanged(idlePipes, leasedPipes);

    /// <summary>Exactly once per accepted connection, however it ended.</summary>
    public void Closed(in ConnectionRecord record)
    {
        metrics.ConnectionClosed(record);
        accessLog.Write(record);
    }
}
