using System.Diagnostics;
using Capture.Proxy.Configuration;
using Capture.Proxy.Reactor;

namespace Capture.Proxy.Relaying;

/// <summary>
/// One loop's read batching (<see cref="ProxyOptions.ReadBatch"/>): the limits every <see cref="ReadBatch"/> on the
/// loop works within, how many streams may batch at once, and how often one started.
/// </summary>
internal sealed class ReadBatchingPolicy
{
    private readonly EventLoop _loop;
    private long _started;

    public ReadBatchingPolicy(EventLoop loop, int readBatch, TimeSpan maxWait)
    {
        _loop = loop;
        MaxBatchBytes = readBatch;
        MaxWaitTicks = (long)(maxWait.TotalSeconds * Stopwatch.Frequency);
        MinWaitTicks = Math.Min(Stopwatch.Frequency / 20_000, MaxWaitTicks); // 50 µs: below that a deadline is all timer
    }

    /// <summary>Largest batch (--read-batch); 0 turns batching off.</summary>
    public int MaxBatchBytes { get; }

    public bool Enabled => MaxBatchBytes > 0;

    /// <summary>Shortest and longest time a batch may take (Stopwatch ticks).</summary>
    public long MinWaitTicks { get; }

    public long MaxWaitTicks { get; }

    /// <summary>How many times a direction started batching its reads on this loop (for the metrics).</summary>
    public long BatchesStarted => Interlocked.Read(ref _started);

    /// <summary>Whether the connection <paramref name="owner"/> may start batching: it already does in its other direction, or there is room.</summary>
    public bool CanStart(LoopRegistration owner) => _loop.CanTrackDeadline(owner);

    /// <summary>A direction of <paramref name="owner"/> started batching: the loop keeps its deadline from now on.</summary>
    public void Started(LoopRegistration owner)
    {
        Interlocked.Increment(ref _started);
        _loop.TrackDeadline(owner);
    }
}
