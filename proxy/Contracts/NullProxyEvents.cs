using Capture.NativeShims;

namespace Capture.Proxy.Contracts;

/// <summary>Ignores every event.</summary>
internal sealed class NullProxyEvents : IProxyEvents
{
    public static NullProxyEvents Instance { get; } = new();

    public void ConnectionAccepted(in ConnectionInfo connection) { }

    public void UpstreamConnected(in ConnectionInfo connection, TimeSpan connectDuration, int attempts) { }

    public void ConnectFailed(in ConnectionInfo connection, ConnectFailure cause, Errno error, int attempts) { }

    public void LoopRefused(in ConnectionInfo connection) { }

    public void BytesRelayed(in ConnectionInfo connection, long upstream, long downstream, long spliced, long copied) { }

    public void ConnectionClosed(in ConnectionSummary summary) { }

    public void AcceptFailed(TrafficDirection direction, Errno error) { }
}
