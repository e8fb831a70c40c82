using System.Collections.Concurrent;
using Capture.NativeShims;
using Capture.Proxy.Engine;

namespace Capture.Proxy.Tests.Relaying;

/// <summary>A fake events sink that records what the engine reported.</summary>
internal sealed class RecordingEvents : IProxyEvents
{
    public ConcurrentQueue<ConnectionInfo> Accepted { get; } = new();

    public ConcurrentQueue<(ConnectionInfo Info, int Attempts)> Connected { get; } = new();

    public ConcurrentQueue<(ConnectionInfo Info, ConnectFailure Cause, Errno Error, int Attempts)> Failed { get; } = new();

    public ConcurrentQueue<ConnectionInfo> Loops { get; } = new();

    public ConcurrentQueue<ConnectionSummary> Closed { get; } = new();

    public ConcurrentQueue<Errno> AcceptFailures { get; } = new();

    public void ConnectionAccepted(in ConnectionInfo connection) => Accepted.Enqueue(connection);

    public void UpstreamConnected(in ConnectionInfo connection, TimeSpan connectDuration, int attempts) => Connected.Enqueue((connection, attempts));

    public void ConnectFailed(in ConnectionInfo connection, ConnectFailure cause, Errno error, int attempts) => Failed.Enqueue((connection, cause, error, attempts));

    public void LoopRefused(in ConnectionInfo connection) => Loops.Enqueue(connection);

    public void ConnectionClosed(in ConnectionSummary summary) => Closed.Enqueue(summary);

    public void AcceptFailed(TrafficDirection direction, Errno error) => AcceptFailures.Enqueue(error);

    public async Task WaitConnectedAsync(int count, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (Connected.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Connected.Count} of {count} upstreams connected within {timeout}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Polls (bounded) until <paramref name="count"/> connections have been reported closed.</summary>
    public async Task<ConnectionSummary[]> WaitClosedAsync(int count, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (Closed.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{Closed.Count} of {count} connections reported closed within {timeout}");
            }

            await Task.Delay(10);
        }

        return [.. Closed];
    }
}
