using Capture.Proxy.Contracts;
using Capture.Proxy.Tunneling;
using Capture.Proxy.Tunneling.Tls;

namespace Capture.Proxy.Tests.Tunneling;

/// <summary>Keeps every HBONE event, thread-safely, and lets a test wait for stream summaries.</summary>
internal sealed class RecordingHboneEvents : IHboneEvents
{
    private readonly SemaphoreSlim _closed = new(0);

    public List<(TrafficDirection Direction, TlsFailure Failure)> Handshakes { get; } = [];

    public List<(TrafficDirection Direction, TunnelFailure Failure)> Failures { get; } = [];

    public List<TunnelStreamSummary> Summaries { get; } = [];

    public long Opened;
    public long BytesUpstream;
    public long BytesDownstream;
    public long PooledConnections;

    public void HandshakeCompleted(TrafficDirection direction, TlsFailure failure)
    {
        lock (Handshakes)
        {
            Handshakes.Add((direction, failure));
        }
    }

    public void StreamOpened(TrafficDirection direction) => Interlocked.Increment(ref Opened);

    public void StreamFailed(TrafficDirection direction, TunnelFailure failure)
    {
        lock (Failures)
        {
            Failures.Add((direction, failure));
        }
    }

    public void BytesTunnelled(TrafficDirection direction, long upstream, long downstream)
    {
        Interlocked.Add(ref BytesUpstream, upstream);
        Interlocked.Add(ref BytesDownstream, downstream);
    }

    public void StreamClosed(TunnelStreamSummary summary)
    {
        lock (Summaries)
        {
            Summaries.Add(summary);
        }

        _closed.Release();
    }

    public void PooledConnectionsChanged(int delta) => Interlocked.Add(ref PooledConnections, delta);

    public async Task<TunnelStreamSummary> NextSummaryAsync()
    {
        (await _closed.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeTrue("a stream summary was expected");
        lock (Summaries)
        {
            return Summaries[^1];
        }
    }
}
