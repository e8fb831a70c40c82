using System.Collections.Concurrent;
using Capture.NativeShims;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Tests.Relaying;

/// <summary>A fake events sink that records what the engine reported.</summary>
internal sealed class RecordingEvents : IProxyEvents
{
    // BytesRelayed is summed, not queued: it comes from the loops' sweeps, and the allocation tests need it not to allocate.
    private readonly ConcurrentDictionary<long, bool> _closedIds = new();
    private long _relayedUpstream;
    private long _relayedDownstream;
    private long _relayedSpliced;
    private long _relayedCopied;
    private long _relayReports;
    private long _badRelayReports;

    public ConcurrentQueue<ConnectionInfo> Accepted { get; } = new();

    public ConcurrentQueue<(ConnectionInfo Info, int Attempts)> Connected { get; } = new();

    public ConcurrentQueue<(ConnectionInfo Info, ConnectFailure Cause, Errno Error, int Attempts)> Failed { get; } = new();

    public ConcurrentQueue<ConnectionInfo> Loops { get; } = new();

    public ConcurrentQueue<ConnectionSummary> Closed { get; } = new();

    public ConcurrentQueue<Errno> AcceptFailures { get; } = new();

    /// <summary>Sums of every <see cref="BytesRelayed"/> report so far.</summary>
    public long RelayedUpstream => Interlocked.Read(ref _relayedUpstream);

    public long RelayedDownstream => Interlocked.Read(ref _relayedDownstream);

    public long RelayedSpliced => Interlocked.Read(ref _relayedSpliced);

    public long RelayedCopied => Interlocked.Read(ref _relayedCopied);

    public long RelayReports => Interlocked.Read(ref _relayReports);

    /// <summary>Reports that broke the contract: nothing moved, a negative count, spliced + copied not the bytes moved, or after the close.</summary>
    public long BadRelayReports => Interlocked.Read(ref _badRelayReports);

    public void ConnectionAccepted(in ConnectionInfo connection) => Accepted.Enqueue(connection);

    public void UpstreamConnected(in ConnectionInfo connection, TimeSpan connectDuration, int attempts) => Connected.Enqueue((connection, attempts));

    public void ConnectFailed(in ConnectionInfo connection, ConnectFailure cause, Errno error, int attempts) => Failed.Enqueue((connection, cause, error, attempts));

    public void LoopRefused(in ConnectionInfo connection) => Loops.Enqueue(connection);

    public void BytesRelayed(in ConnectionInfo connection, long upstream, long downstream, long spliced, long copied)
    {
        bool bad = upstream < 0 || downstream < 0 || spliced < 0 || copied < 0 || upstream + downstream == 0
            || spliced + copied != upstream + downstream || _closedIds.ContainsKey(connection.Id);
        if (bad)
        {
            Interlocked.Increment(ref _badRelayReports);
        }

        Interlocked.Add(ref _relayedUpstream, upstream);
        Interlocked.Add(ref _relayedDownstream, downstream);
        Interlocked.Add(ref _relayedSpliced, spliced);
        Interlocked.Add(ref _relayedCopied, copied);
        Interlocked.Increment(ref _relayReports);
    }

    public void ConnectionClosed(in ConnectionSummary summary)
    {
        _closedIds.TryAdd(summary.Info.Id, true);
        Closed.Enqueue(summary);
    }

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

    /// <summary>Polls (bounded) until the reported bytes reach <paramref name="upstream"/> and <paramref name="downstream"/>.</summary>
    public async Task WaitRelayedAsync(long upstream, long downstream, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (RelayedUpstream < upstream || RelayedDownstream < downstream)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"{RelayedUpstream} of {upstream} bytes up and {RelayedDownstream} of {downstream} down reported within {timeout}");
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
