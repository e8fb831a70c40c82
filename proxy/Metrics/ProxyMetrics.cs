using System.Text;

namespace Capture.Proxy.Metrics;

/// <summary>
/// capture-proxy's counters: updated lock-free by the event loops (one <see cref="Interlocked"/> operation per event,
/// per connection rather than per byte, no allocation), read by the Prometheus endpoint.
/// </summary>
/// <remarks>
/// Counters sit in flat arrays indexed by label values (direction × cause …). With a handful of events per connection
/// and one loop per core, contention on a cache line costs less than striping every counter per worker would cost in
/// memory and scrape time; revisit if profiles show otherwise.
/// </remarks>
internal sealed class ProxyMetrics
{
    private static readonly int s_directions = Enum.GetValues<TrafficDirection>().Length;
    private static readonly int s_causes = Enum.GetValues<FailureCause>().Length;
    private static readonly int s_ends = Enum.GetValues<ConnectionEnd>().Length;

    private readonly long[] _accepted = new long[s_directions];
    private readonly long[] _active = new long[s_directions];
    private readonly long[] _failed = new long[s_directions * s_causes];
    private readonly long[] _closed = new long[s_directions * s_ends];
    private readonly long[] _connectFailures = new long[s_directions * s_causes];
    private readonly long[] _loopsRefused = new long[s_directions];
    private readonly long[] _bytes = new long[s_directions * 2];
    private readonly long[] _splicedBytes = new long[s_directions];
    private readonly long[] _copiedBytes = new long[s_directions];
    private readonly long[] _acceptFailures = new long[s_causes];
    private long _pipePoolIdle;
    private long _pipePoolLeased;

    /// <summary>A client connection was accepted on a capture listener.</summary>
    public void ConnectionAccepted(TrafficDirection direction)
    {
        Interlocked.Increment(ref _accepted[(int)direction]);
        Interlocked.Increment(ref _active[(int)direction]);
    }

    /// <summary>accept(2) itself failed (descriptor limit, memory); no connection was counted.</summary>
    public void AcceptFailed(FailureCause cause) => Interlocked.Increment(ref _acceptFailures[(int)cause]);

    /// <summary>One upstream connect attempt failed; a retry may follow.</summary>
    public void ConnectAttemptFailed(TrafficDirection direction, FailureCause cause) =>
        Interlocked.Increment(ref _connectFailures[Index(direction, (int)cause, s_causes)]);

    /// <summary>A connection whose original destination is one of our own listeners was refused.</summary>
    public void LoopRefused(TrafficDirection direction) => Interlocked.Increment(ref _loopsRefused[(int)direction]);

    /// <summary>
    /// An accepted connection ended, whichever way: called exactly once per <see cref="ConnectionAccepted"/>.
    /// <see cref="ConnectionRecord.Failure"/> is set when it ended before or instead of relaying (connect failed, loop, …).
    /// </summary>
    public void ConnectionClosed(in ConnectionRecord record)
    {
        int direction = (int)record.Direction;
        Interlocked.Decrement(ref _active[direction]);
        Interlocked.Increment(ref _closed[Index(record.Direction, (int)record.End, s_ends)]);
        if (record.Failure is { } cause)
        {
            Interlocked.Increment(ref _failed[Index(record.Direction, (int)cause, s_causes)]);
        }

        AddBytes(_bytes, (direction * 2) + 0, record.BytesUpstream);
        AddBytes(_bytes, (direction * 2) + 1, record.BytesDownstream);
        AddBytes(_splicedBytes, direction, record.BytesSpliced);
        AddBytes(_copiedBytes, direction, record.BytesUpstream + record.BytesDownstream - record.BytesSpliced);
    }

    /// <summary>The pipe pools' current size, summed over workers.</summary>
    public void PipePoolChanged(long idlePipes, long leasedPipes)
    {
        Volatile.Write(ref _pipePoolIdle, idlePipes);
        Volatile.Write(ref _pipePoolLeased, leasedPipes);
    }

    /// <summary>Current active connections in <paramref name="direction"/>.</summary>
    public long Active(TrafficDirection direction) => Volatile.Read(ref _active[(int)direction]);

    /// <summary>Renders every family in the Prometheus text format.</summary>
    public string ToPrometheusText()
    {
        StringBuilder text = new(4096);
        WriteTo(new PrometheusTextWriter(text));
        return text.ToString();
    }

    public void WriteTo(PrometheusTextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);

        writer.Family("capture_connections_accepted_total", MetricType.Counter, "Client connections accepted on the capture listeners.");
        foreach (TrafficDirection d in Enum.GetValues<TrafficDirection>())
        {
            writer.Sample("capture_connections_accepted_total", [Label.Of(d)], Read(_accepted, (int)d));
        }

        writer.Family("capture_connections_active", MetricType.Gauge, "Client connections currently open.");
        foreach (TrafficDirection d in Enum.GetValues<TrafficDirection>())
        {
            writer.Sample("capture_connections_active", [Label.Of(d)], Read(_active, (int)d));
        }

        writer.Family("capture_connections_closed_total", MetricType.Counter, "Connections that ended, by how they ended.");
        foreach (TrafficDirection d in Enum.GetValues<TrafficDirection>())
        {
            foreach (ConnectionEnd end in Enum.GetValues<ConnectionEnd>())
            {
                writer.Sample("capture_connections_closed_total", [Label.Of(d), Label.Of(end)], Read(_closed, Index(d, (int)end, s_ends)));
            }
        }

        writer.Family("capture_connections_failed_total", MetricType.Counter, "Connections that ended in failure, by cause.");
        WriteByCause(writer, "capture_connections_failed_total", _failed);

        writer.Family("capture_upstream_connect_failures_total", MetricType.Counter, "Upstream connect attempts that failed, retries included, by cause.");
        WriteByCause(writer, "capture_upstream_connect_failures_total", _connectFailures);

        writer.Family("capture_accept_failures_total", MetricType.Counter, "accept(2) failures on the capture listeners, by cause.");
        foreach (FailureCause cause in Enum.GetValues<FailureCause>())
        {
            writer.Sample("capture_accept_failures_total", [Label.Of(cause)], Read(_acceptFailures, (int)cause));
        }

        writer.Family("capture_loops_refused_total", MetricType.Counter, "Connections refused because their original destination is one of the proxy's own listeners.");
        foreach (TrafficDirection d in Enum.GetValues<TrafficDirection>())
        {
            writer.Sample("capture_loops_refused_total", [Label.Of(d)], Read(_loopsRefused, (int)d));
        }

        writer.Family("capture_bytes_total", MetricType.Counter, "Bytes relayed by finished connections; way=upstream is client to destination.");
        foreach (TrafficDirection d in Enum.GetValues<TrafficDirection>())
        {
            writer.Sample("capture_bytes_total", [Label.Of(d), new("way", "upstream")], Read(_bytes, ((int)d * 2) + 0));
            writer.Sample("capture_bytes_total", [Label.Of(d), new("way", "downstream")], Read(_bytes, ((int)d * 2) + 1));
        }

        writer.Family("capture_bytes_spliced_total", MetricType.Counter, "Bytes moved with splice(2), both ways, by finished connections.");
        foreach (TrafficDirection d in Enum.GetValues<TrafficDirection>())
        {
            writer.Sample("capture_bytes_spliced_total", [Label.Of(d)], Read(_splicedBytes, (int)d));
        }

        writer.Family("capture_bytes_copied_total", MetricType.Counter, "Bytes moved by the recv/send copy path, both ways, by finished connections.");
        foreach (TrafficDirection d in Enum.GetValues<TrafficDirection>())
        {
            writer.Sample("capture_bytes_copied_total", [Label.Of(d)], Read(_copiedBytes, (int)d));
        }

        writer.Family("capture_pipe_pool_pipes", MetricType.Gauge, "Splice pipe pairs held by the pools: idle ones ready for reuse, leased ones in use.");
        writer.Sample("capture_pipe_pool_pipes", [new("state", "idle")], Volatile.Read(ref _pipePoolIdle));
        writer.Sample("capture_pipe_pool_pipes", [new("state", "leased")], Volatile.Read(ref _pipePoolLeased));
    }

    private static void WriteByCause(PrometheusTextWriter writer, string name, long[] counters)
    {
        foreach (TrafficDirection d in Enum.GetValues<TrafficDirection>())
        {
            foreach (FailureCause cause in Enum.GetValues<FailureCause>())
            {
                writer.Sample(name, [Label.Of(d), Label.Of(cause)], Read(counters, Index(d, (int)cause, s_causes)));
            }
        }
    }

    private static int Index(TrafficDirection direction, int value, int count) => ((int)direction * count) + value;

    private static long Read(long[] counters, int index) => Volatile.Read(ref counters[index]);

    private static void AddBytes(long[] counters, int index, long bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref counters[index], bytes);
        }
    }
}
