using System.Net;
using Capture.Proxy.Contracts;
using Capture.Proxy.Engine;

namespace Capture.Proxy.Configuration;

/// <summary>Everything the data path needs; the host maps its <c>ProxyOptions</c> onto this once, at startup.</summary>
internal sealed record ProxyEngineOptions
{
    /// <summary>Outbound capture port. Defaults to 15001 (Istio's). 0 picks a free port (tests).</summary>
    public int OutboundPort { get; init; } = 15001;

    /// <summary>Inbound capture port. Defaults to 15006 (Istio's). 0 picks a free port (tests).</summary>
    public int InboundPort { get; init; } = 15006;

    /// <summary>Addresses the listeners bind. Defaults to 0.0.0.0 and :: (IPv6 with IPV6_V6ONLY, skipped if the host has no IPv6).</summary>
    public IReadOnlyList<IPAddress> ListenAddresses { get; init; } = [IPAddress.Any, IPAddress.IPv6Any];

    /// <summary>Inbound interception mode. Defaults to <see cref="InboundMode.Redirect"/>.</summary>
    public InboundMode InboundMode { get; init; } = InboundMode.Redirect;

    /// <summary>Event loops (threads, each with its own epoll and SO_REUSEPORT listeners). Defaults to the processor count.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Time allowed for one upstream handshake. Defaults to 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Extra connect attempts after a transient failure (EADDRNOTAVAIL, EMFILE, ENOBUFS…). Defaults to 2.</summary>
    public int ConnectRetries { get; init; } = 2;

    /// <summary>First retry delay; doubles per attempt, with jitter. Defaults to 50 ms.</summary>
    public TimeSpan ConnectRetryDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Close a connection when no byte moved for this long. Defaults to 1 h (Envoy's TCP proxy default); <see cref="Timeout.InfiniteTimeSpan"/> disables it.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Capacity a splice pipe grows to with F_SETPIPE_SZ once its direction moves bulk data; pipes start at 64 KiB (or
    /// this size if smaller). Defaults to 1 MiB (/proc/sys/fs/pipe-max-size's default).
    /// </summary>
    public int PipeSize { get; init; } = 1024 * 1024;

    /// <summary>Idle pipes each event loop keeps for reuse. Defaults to 32.</summary>
    public int PipePoolSize { get; init; } = 32;

    /// <summary>
    /// Reads up to this size go through recv/send with a buffer instead of two splices; a burst larger than this
    /// switches the direction to splice. Defaults to 16 KiB. 0 splices everything.
    /// </summary>
    public int CopyThreshold { get; init; } = 16 * 1024;

    /// <summary>
    /// Read batching for fast bulk streams: once a direction has moved four batches as one bulk run, its source
    /// socket gets SO_RCVLOWAT of one batch, so the loop wakes for it per batch instead of per packet. A batch is what
    /// the run delivers in half of <see cref="ReadBatchMaxWait"/>, at most this many bytes; a run too slow for 64 KiB
    /// (or this, if smaller) does not batch. When a batch is not complete in time (the stream slowed, paused or ended
    /// without FIN) the loop reads what is queued, and ends batching if that was under a quarter batch. Defaults to
    /// 512 KiB; 0 turns it off.
    /// </summary>
    public int ReadBatch { get; init; } = 512 * 1024;

    /// <summary>The longest a batching direction's bytes may wait for the rest of a batch. Defaults to 0.5 ms.</summary>
    public TimeSpan ReadBatchMaxWait { get; init; } = TimeSpan.FromMicroseconds(500);

    /// <summary>SO_MARK for TPROXY upstream sockets (capture-init's <c>-t</c>). Defaults to 1337.</summary>
    public int TproxyMark { get; init; } = 1337;

    /// <summary>How long open connections may finish after <see cref="ProxyEngine.BeginDrain"/>. Defaults to 5 s.</summary>
    public TimeSpan DrainDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>listen(2) backlog. Defaults to 4096 (the kernel caps it at net.core.somaxconn).</summary>
    public int ListenBacklog { get; init; } = 4096;

    /// <summary>Source address for inbound REDIRECT upstreams over IPv4, exempted by <c>-o lo -s 127.0.0.6/32 -j RETURN</c>.</summary>
    public IPAddress InboundPassthroughSourceV4 { get; init; } = IPAddress.Parse("127.0.0.6");

    /// <summary>Source address for inbound REDIRECT upstreams over IPv6.</summary>
    public IPAddress InboundPassthroughSourceV6 { get; init; } = IPAddress.Parse("::6");

    /// <summary>Every problem with these options, empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> problems = [];
        CheckPort(problems, nameof(OutboundPort), OutboundPort);
        CheckPort(problems, nameof(InboundPort), InboundPort);
        if (OutboundPort != 0 && OutboundPort == InboundPort)
        {
            problems.Add($"outbound and inbound ports must differ (both {OutboundPort})");
        }

        if (ListenAddresses.Count == 0)
        {
            problems.Add("at least one listen address is required");
        }

        if (Workers is < 1 or > 256)
        {
            problems.Add($"workers must be between 1 and 256 (got {Workers})");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            problems.Add($"connect timeout must be positive (got {ConnectTimeout})");
        }

        if (ConnectRetries is < 0 or > 10)
        {
            problems.Add($"connect retries must be between 0 and 10 (got {ConnectRetries})");
        }

        if (IdleTimeout <= TimeSpan.Zero && IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"idle timeout must be positive or infinite (got {IdleTimeout})");
        }

        if (PipeSize is < 4096 or > 64 * 1024 * 1024)
        {
            problems.Add($"pipe size must be between 4096 and 67108864 bytes (got {PipeSize})");
        }

        if (PipePoolSize is < 0 or > 65536)
        {
            problems.Add($"pipe pool size must be between 0 and 65536 (got {PipePoolSize})");
        }

        if (CopyThreshold is < 0 or > 1024 * 1024)
        {
            problems.Add($"copy threshold must be between 0 and 1048576 bytes (got {CopyThreshold})");
        }

        if (DrainDuration < TimeSpan.Zero)
        {
            problems.Add($"drain duration must not be negative (got {DrainDuration})");
        }

        if (ReadBatch != 0 && ReadBatch is < 4096 or > 4 * 1024 * 1024)
        {
            problems.Add($"read batch must be 0 or between 4096 and 4194304 bytes (got {ReadBatch})");
        }

        if (ReadBatchMaxWait <= TimeSpan.Zero || ReadBatchMaxWait > TimeSpan.FromSeconds(1))
        {
            problems.Add($"read batch wait must be positive and at most 1 s (got {ReadBatchMaxWait})");
        }

        return problems;
    }

    private static void CheckPort(List<string> problems, string name, int port)
    {
        if (port is < 0 or > 65535)
        {
            problems.Add($"{name} must be between 0 and 65535 (got {port})");
        }
    }
}
