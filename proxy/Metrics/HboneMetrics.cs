using Capture.Proxy.Contracts;
using Capture.Proxy.Tunneling;
using Capture.Proxy.Tunneling.Tls;

namespace Capture.Proxy.Metrics;

/// <summary>
/// HBONE's counters (per direction): streams opened and failed by cause, streams open, pooled tunnel connections,
/// TLS handshakes and their failures by cause, bytes through tunnels. Lock-free, as <see cref="ProxyMetrics"/>.
/// </summary>
internal sealed class HboneMetrics
{
    private static readonly TrafficDirection[] s_directions = Enum.GetValues<TrafficDirection>();
    private static readonly TunnelFailure[] s_failures = Enum.GetValues<TunnelFailure>();
    private static readonly TlsFailure[] s_tlsFailures = Enum.GetValues<TlsFailure>();

    private readonly long[] _opened = new long[s_directions.Length];
    private readonly long[] _active = new long[s_directions.Length];
    private readonly long[] _failed = new long[s_directions.Length * s_failures.Length];
    private readonly long[] _handshakes = new long[s_directions.Length];
    private readonly long[] _handshakeFailures = new long[s_directions.Length * s_tlsFailures.Length];
    private readonly long[] _bytes = new long[s_directions.Length * 2];
    private long _pooledConnections;

    public void HandshakeCompleted(TrafficDirection direction, TlsFailure failure)
    {
        Interlocked.Increment(ref _handshakes[(int)direction]);
        if (failure != TlsFailure.None)
        {
            Interlocked.Increment(ref _handshakeFailures[((int)direction * s_tlsFailures.Length) + (int)failure]);
        }
    }

    public void StreamOpened(TrafficDirection direction)
    {
        Interlocked.Increment(ref _opened[(int)direction]);
        Interlocked.Increment(ref _active[(int)direction]);
    }

    public void StreamEnded(TrafficDirection direction) => Interlocked.Decrement(ref _active[(int)direction]);

    public void StreamFailed(TrafficDirection direction, TunnelFailure failure) =>
        Interlocked.Increment(ref _failed[((int)direction * s_failures.Length) + (int)failure]);

    public void BytesTunnelled(TrafficDirection direction, long upstream, long downstream)
    {
        if (upstream > 0)
        {
            Interlocked.Add(ref _bytes[((int)direction * 2) + 0], upstream);
        }

        if (downstream > 0)
        {
            Interlocked.Add(ref _bytes[((int)direction * 2) + 1], downstream);
        }
    }

    public void PooledConnectionsChanged(int delta) => Interlocked.Add(ref _pooledConnections, delta);

    public long PooledConnections => Volatile.Read(ref _pooledConnections);

    public long ActiveStreams(TrafficDirection direction) => Volatile.Read(ref _active[(int)direction]);

    public void WriteTo(PrometheusTextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        PerDirection(writer, "capture_hbone_streams_opened_total", MetricType.Counter, "HBONE CONNECT streams answered 200 and carrying bytes.", _opened);
        PerDirection(writer, "capture_hbone_streams_active", MetricType.Gauge, "HBONE streams open now.", _active);

        writer.Family("capture_hbone_streams_failed_total", MetricType.Counter,
            "Tunnelled connections that could not be set up, by cause (tls, identity, 4xx, 5xx, connect, protocol).");
        foreach (TrafficDirection d in s_directions)
        {
            foreach (TunnelFailure f in s_failures)
            {
                writer.Sample("capture_hbone_streams_failed_total", [Label.Of(d), new("cause", TunnelFailureNames.Label(f))],
                    Volatile.Read(ref _failed[((int)d * s_failures.Length) + (int)f]));
            }
        }

        writer.Family("capture_hbone_pooled_connections", MetricType.Gauge, "Outbound HBONE tunnel connections open in the pool.");
        writer.Sample("capture_hbone_pooled_connections", Volatile.Read(ref _pooledConnections));

        PerDirection(writer, "capture_hbone_tls_handshakes_total", MetricType.Counter, "TLS handshakes of HBONE connections, failed ones included.", _handshakes);
        writer.Family("capture_hbone_tls_handshake_failures_total", MetricType.Counter, "HBONE TLS handshakes refused, by cause.");
        foreach (TrafficDirection d in s_directions)
        {
            foreach (TlsFailure f in s_tlsFailures)
            {
                if (f != TlsFailure.None)
                {
                    writer.Sample("capture_hbone_tls_handshake_failures_total", [Label.Of(d), new("cause", TlsFailureNames.Label(f))],
                        Volatile.Read(ref _handshakeFailures[((int)d * s_tlsFailures.Length) + (int)f]));
                }
            }
        }

        writer.Family("capture_hbone_bytes_total", MetricType.Counter, "Bytes through HBONE tunnels; way=upstream is client to destination.");
        foreach (TrafficDirection d in s_directions)
        {
            writer.Sample("capture_hbone_bytes_total", [Label.Of(d), new("way", "upstream")], Volatile.Read(ref _bytes[((int)d * 2) + 0]));
            writer.Sample("capture_hbone_bytes_total", [Label.Of(d), new("way", "downstream")], Volatile.Read(ref _bytes[((int)d * 2) + 1]));
        }
    }

    private static void PerDirection(PrometheusTextWriter writer, string name, MetricType type, string help, long[] counters)
    {
        writer.Family(name, type, help);
        foreach (TrafficDirection d in s_directions)
        {
            writer.Sample(name, [Label.Of(d)], Volatile.Read(ref counters[(int)d]));
        }
    }
}
