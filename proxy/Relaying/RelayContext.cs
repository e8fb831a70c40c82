using Capture.Proxy.Configuration;
using Capture.Proxy.Connecting;
using Capture.Proxy.Contracts;
using Capture.Proxy.Reactor;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Relaying;

/// <summary>
/// What the connections of one event loop share: the loop, the options, the upstream socket factory and retry, the
/// pipe pool, the copy path, the pump and the read-batching policy, and the count of open connections.
/// </summary>
internal sealed class RelayContext : IDisposable
{
    private long _active;

    public RelayContext(EventLoop loop, ProxyOptions options, IProxyEvents events, ILogger logger, ConnectRetry retry,
        UpstreamSocketFactory upstreamSockets)
    {
        Loop = loop;
        Options = options;
        Events = events;
        Logger = logger;
        Retry = retry;
        UpstreamSockets = upstreamSockets;
        ConnectTimeoutMs = (long)options.ConnectTimeout.TotalMilliseconds;
        IdleTimeoutMs = options.IdleTimeoutMilliseconds;
        Pipes = new PipePool(options.PipeSize, options.PipePoolSize, PipePool.BulkLimit(options.PipeSize, options.Workers));
        Batching = new ReadBatchingPolicy(loop, options.ReadBatch, options.ReadBatchMaxWait);
        Pump = new RelayPump(loop, Pipes, new CopyPath(loop, options.CopyThreshold), Batching);
    }

    public EventLoop Loop { get; }

    public ProxyOptions Options { get; }

    public IProxyEvents Events { get; }

    public ILogger Logger { get; }

    /// <summary>Whether and when a failed upstream connect is tried again.</summary>
    public ConnectRetry Retry { get; }

    /// <summary>Creates upstream sockets with the source binding the capture rules expect.</summary>
    public UpstreamSocketFactory UpstreamSockets { get; }

    public long ConnectTimeoutMs { get; }

    /// <summary>0: no idle timeout.</summary>
    public long IdleTimeoutMs { get; }

    public PipePool Pipes { get; }

    public ReadBatchingPolicy Batching { get; }

    public RelayPump Pump { get; }

    public long ActiveConnections => Interlocked.Read(ref _active);

    /// <summary>
    /// How often the loop sweeps its connections: a coarse sweep instead of a timer per connection, at an eighth of the
    /// shortest timeout, 5 ms to 1 s. It also reports open connections' bytes to the metrics, which therefore lag by at
    /// most one interval.
    /// </summary>
    public static long SweepIntervalMs(ProxyOptions options)
    {
        long connect = (long)options.ConnectTimeout.TotalMilliseconds;
        long idle = options.IdleTimeoutMilliseconds;
        long shortest = idle > 0 ? Math.Min(connect, idle) : connect;
        return Math.Clamp(shortest / 8, 5, 1000);
    }

    /// <summary>Loop thread: relays the accepted client <paramref name="clientFd"/> to its original destination.</summary>
    public void Start(int clientFd, in ConnectionInfo info, string? policy = null)
    {
        Interlocked.Increment(ref _active);
        new Connection(this, info, clientFd, policy).Start();
    }

    /// <summary>Called by a connection as it closes.</summary>
    public void Closed() => Interlocked.Decrement(ref _active);

    /// <summary>After the loop has stopped (its connections closed and their pipes returned).</summary>
    public void Dispose() => Pipes.Dispose();
}
