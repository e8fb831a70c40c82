using System.Text;
using Capture.NativeShims;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Metrics;

/// <summary>
/// capture-proxy's counters: updated lock-free by the event loops (one <see cref="Interlocked"/> operation per event,
/// per connection rather than per byte, no allocation), read by the Prometheus endpoint.
/// </summary>
/// <remarks>
/// Counters sit in flat arrays indexed by label values (direction × cause …). With a handful of events per connection
/// and one loop per core, contention on a cache line costs less than striping every counter per worker would cost in
/// memory and scrape time; revisit if profiles show otherwise. Bytes are added as the loops' sweeps report them (within
/// about a second, see <see cref="IProxyEvents.BytesRelayed"/>), so a long-lived connection shows in
/// <c>capture_bytes_total</c> while it is open.
/// </remarks>
internal sealed class ProxyMetrics
{
    private static readonly TrafficDirection[] s_directions = Enum.GetValues<TrafficDirection>();
    private static readonly FailureCause[] s_causes = Enum.GetValues<FailureCause>();
    private static readonly ConnectionEndReason[] s_ends = Enum.GetValues<ConnectionEndReason>();

    private readonly long[] _accepted = new long[s_directions.Length];
    private readonly long[] _active = new long[s_directions.Length];
    private readonly long[] _connected = new long[s_directions.Length];
    private readonly long[] _failed = new long[s_directions.Length * s_causes.Length];
    private readonly long[] _closed = new long[s_directions.Length * s_ends.Length];
    private readonly long[] _connectFailures = new long[s_directions.Length * s_causes.Length];
    private readonly long[] _acceptFailures = new long[s_directions.Length * s_causes.Length];
    private readonly long[] _loopsRefused = new long[s_directions.Length];
    private readonly long[] _bytes = new long[s_directions.Length * 2];
    private readonly long[] _splicedBytes = new long[s_directions.Length];
    private readonly long[] _copiedBytes = new long[s_directions.Length];

    /// <summary>HBONE tunnels' counters, rendered after the engine's (all zero when HBONE is off).</summary>
    public HboneMetrics Hbone { get; } = new();

    /// <summary>Authorization's counters, rendered after HBONE's (all zero without policies).</summary>
    public AuthorizationMetrics Authorization { get; } = new();

    public DnsMetrics Dns { get; } = new();

    /// <summary>Reads the engine's gauges (pipe pools) at scrape time; set once the engine exists.</summary>
    public Func<EngineSnapshot>? Snapshot { get; set; }

    public void ConnectionAccepted(TrafficDirection direction)
    {
        Interlocked.Increment(ref _accepted[(int)direction]);
        Interlocked.Increment(ref _active[(int)direction]);
    }

    public void UpstreamConnected(TrafficDirection direction) => Interlocked.Increment(ref _connected[(int)direction]);

    /// <summary>The final connect failure of a connection (after retries); its close follows.</summary>
    public void ConnectFailed(TrafficDirection direction, ConnectFailure failure)
    {
        int index = Index(direction, FailureCauses.From(failure));
        Interlocked.Increment(ref _connectFailures[index]);
        Interlocked.Increment(ref _failed[index]);
    }

    public void LoopRefused(TrafficDirection direction) => Interlocked.Increment(ref _loopsRefused[(int)direction]);

    public void AcceptFailed(TrafficDirection direction, Errno error) =>
        Interlocked.Increment(ref _acceptFailures[Index(direction, FailureCauses.FromAccept(error))]);

    /// <summary>Bytes one connection delivered since its previous report (see <see cref="IProxyEvents.BytesRelayed"/>).</summary>
    public void BytesRelayed(TrafficDirection direction, long upstream, long downstream, long spliced, long copied)
    {
        int d = (int)direction;
        Add(_bytes, (d * 2) + 0, upstream);
        Add(_bytes, (d * 2) + 1, downstream);
        Add(_splicedBytes, d, spliced);
        Add(_copiedBytes, d, copied);
    }

    /// <summary>
    /// Exactly once per accepted connection, however it ended. Its bytes are not added here: they were all reported
    /// through <see cref="BytesRelayed"/> before it closed.
    /// </summary>
    public void ConnectionClosed(in ConnectionSummary summary)
    {
        TrafficDirection direction = summary.Info.Direction;
        int d = (int)direction;
        Interlocked.Decrement(ref _active[d]);
        Interlocked.Increment(ref _closed[(d * s_ends.Length) + (int)summary.EndReason]);
        if (FailureCauses.From(summary.EndReason) is { } cause)
        {
            Interlocked.Increment(ref _failed[Index(direction, cause)]);
        }
    }

    /// <summary>Connections currently open in <paramref name="direction"/>.</summary>
    public long Active(TrafficDirection direction) => Volatile.Read(ref _active[(int)direction]);

    /// <summary>Renders every family in the Prometheus text format.</summary>
    public string ToPrometheusText()
    {
        StringBuilder text = new(8192);
        WriteTo(new PrometheusTextWriter(text));
        return text.ToString();
    }

    public void WriteTo(PrometheusTextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);

        PerDirection(writer, "capture_connections_accepted_total", MetricType.Counter, "Client connections accepted on the capture listeners.", _accepted);
        PerDirection(writer, "capture_connections_active", MetricType.Gauge, "Client connections currently open.", _active);
        PerDirection(writer, "capture_upstream_connected_total", MetricType.Counter, "Upstream connections established.", _connected);

        writer.Family("capture_connections_closed_total", MetricType.Counter, "Connections that ended, by how they ended.");
        foreach (TrafficDirection d in s_directions)
        {
            foreach (ConnectionEndReason end in s_ends)
            {
                writer.Sample("capture_connections_closed_total", [Label.Of(d), Label.Of(end)], Read(_closed, ((int)d * s_ends.Length) + (int)end));
            }
        }

        PerCause(writer, "capture_connections_failed_total", "Connections that ended in failure, by cause.", _failed, s_causes);
        PerCause(writer, "capture_upstream_connect_failures_total", "Connections whose upstream connect failed (after retries), by cause.",
            _connectFailures, s_causes[..((int)FailureCause.Other + 1)]);
        PerCause(writer, "capture_accept_failures_total", "accept(2) failures on the capture listeners (descriptor or memory limits), by cause.",
            _acceptFailures, [FailureCause.ResourceExhausted, FailureCause.Other]);
        PerDirection(writer, "capture_loops_refused_total", MetricType.Counter,
            "Connections refused because their original destination is one of the proxy's own listeners.", _loopsRefused);

        writer.Family("capture_bytes_total", MetricType.Counter, "Bytes relayed, open connections included (counted within about a second); way=upstream is client to destination.");
        foreach (TrafficDirection d in s_directions)
        {
            writer.Sample("capture_bytes_total", [Label.Of(d), new("way", "upstream")], Read(_bytes, ((int)d * 2) + 0));
            writer.Sample("capture_bytes_total", [Label.Of(d), new("way", "downstream")], Read(_bytes, ((int)d * 2) + 1));
        }

        PerDirection(writer, "capture_bytes_spliced_total", MetricType.Counter, "Bytes moved with splice(2), both ways.", _splicedBytes);
        PerDirection(writer, "capture_bytes_copied_total", MetricType.Counter, "Bytes moved by the recv/send copy path, both ways.", _copiedBytes);

        EngineSnapshot snapshot = Snapshot?.Invoke() ?? default;
        writer.Family("capture_pipe_pool_pipes", MetricType.Gauge, "Splice pipes held by the event loops: idle ones pooled for reuse, leased ones carrying bytes.");
        writer.Sample("capture_pipe_pool_pipes", [new("state", "pooled")], snapshot.PipesPooled);
        writer.Sample("capture_pipe_pool_pipes", [new("state", "leased")], snapshot.PipesLeased);
        writer.Family("capture_pipes_grown", MetricType.Gauge, "Splice pipes grown to --pipe-size for bulk transfers, pooled or leased (also counted above).");
        writer.Sample("capture_pipes_grown", snapshot.PipesGrown);
        writer.Family("capture_read_batching_started_total", MetricType.Counter, "Times a fast bulk direction started batching its reads (--read-batch, SO_RCVLOWAT).");
        writer.Sample("capture_read_batching_started_total", snapshot.ReadBatchesStarted);
        Hbone.WriteTo(writer);
        Authorization.WriteTo(writer);
        Dns.WriteTo(writer);
    }

    private static void PerDirection(PrometheusTextWriter writer, string name, MetricType type, string help, long[] counters)
    {
        writer.Family(name, type, help);
        foreach (TrafficDirection d in s_directions)
        {
            writer.Sample(name, [Label.Of(d)], Read(counters, (int)d));
        }
    }

    private static void PerCause(PrometheusTextWriter writer, string name, string help, long[] counters, FailureCause[] causes)
    {
        writer.Family(name, MetricType.Counter, help);
        foreach (TrafficDirection d in s_directions)
        {
            foreach (FailureCause cause in causes)
            {
                writer.Sample(name, [Label.Of(d), Label.Of(cause)], Read(counters, Index(d, cause)));
            }
        }
    }

    private static int Index(TrafficDirection direction, FailureCause cause) => ((int)direction * s_causes.Length) + (int)cause;

    private static long Read(long[] counters, int index) => Volatile.Read(ref counters[index]);

    private static void Add(long[] counters, int index, long bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref counters[index], bytes);
        }
    }
}
