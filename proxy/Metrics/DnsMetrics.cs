
namespace Capture.Proxy.Metrics;

/// <summary>
/// The DNS proxy's counters: queries by result and transport, upstream queries in flight, upstream latency
/// (a histogram in microseconds, one observation per nameserver tried), upstream attempts that failed by cause.
/// </summary>
internal sealed class DnsMetrics
{
    private static readonly long[] s_bucketsMicroseconds = [500, 1_000, 5_000, 10_000, 50_000, 100_000, 500_000, 1_000_000, 5_000_000];
    private static readonly DnsResult[] s_results = Enum.GetValues<DnsResult>();

    private readonly long[] _queries = new long[s_results.Length * 2];
    private readonly long[] _buckets = new long[s_bucketsMicroseconds.Length];
    private long _latencyCount;
    private long _latencySum;
    private long _outstanding;
    private long _upstreamTimeouts;
    private long _upstreamErrors;

    public void Query(DnsResult result, bool tcp) => Interlocked.Increment(ref _queries[((int)result * 2) + (tcp ? 1 : 0)]);

    public long Queries(DnsResult result, bool tcp) => Volatile.Read(ref _queries[((int)result * 2) + (tcp ? 1 : 0)]);

    public long Outstanding => Volatile.Read(ref _outstanding);

    public void UpstreamStarted() => Interlocked.Increment(ref _outstanding);

    public void UpstreamEnded() => Interlocked.Decrement(ref _outstanding);

    public void UpstreamAnswered(TimeSpan latency)
    {
        long micros = (long)latency.TotalMicroseconds;
        for (int i = 0; i < s_bucketsMicroseconds.Length; i++)
        {
            if (micros <= s_bucketsMicroseconds[i])
            {
                Interlocked.Increment(ref _buckets[i]);
                break;
            }
        }

        Interlocked.Increment(ref _latencyCount);
        Interlocked.Add(ref _latencySum, micros);
    }

    public void UpstreamFailed(bool timeout) => Interlocked.Increment(ref timeout ? ref _upstreamTimeouts : ref _upstreamErrors);

    public void WriteTo(PrometheusTextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Family("capture_dns_queries_total", MetricType.Counter,
            "DNS queries to the proxy's DNS port by result (local: answered from the workloads file; forwarded; servfail; malformed) and transport.");
        foreach (DnsResult result in s_results)
        {
            string name = Name(result);
            writer.Sample("capture_dns_queries_total", [new("result", name), new("transport", "udp")], Queries(result, tcp: false));
            writer.Sample("capture_dns_queries_total", [new("result", name), new("transport", "tcp")], Queries(result, tcp: true));
        }

        writer.Family("capture_dns_upstream_outstanding", MetricType.Gauge, "Queries being forwarded to a nameserver now (bounded).");
        writer.Sample("capture_dns_upstream_outstanding", Outstanding);

        writer.Family("capture_dns_upstream_failures_total", MetricType.Counter, "Nameserver attempts that failed, by cause (timeout after 5 s, error).");
        writer.Sample("capture_dns_upstream_failures_total", [new("cause", "timeout")], Volatile.Read(ref _upstreamTimeouts));
        writer.Sample("capture_dns_upstream_failures_total", [new("cause", "error")], Volatile.Read(ref _upstreamErrors));

        writer.Family("capture_dns_upstream_latency_microseconds", MetricType.Histogram, "Time a nameserver took to answer a forwarded query.");
        long cumulative = 0;
        for (int i = 0; i < s_bucketsMicroseconds.Length; i++)
        {
            cumulative += Volatile.Read(ref _buckets[i]);
            writer.Sample("capture_dns_upstream_latency_microseconds_bucket", [new("le", s_bucketsMicroseconds[i].ToString(System.Globalization.CultureInfo.InvariantCulture))], cumulative);
        }

        long count = Volatile.Read(ref _latencyCount);
        writer.Sample("capture_dns_upstream_latency_microseconds_bucket", [new("le", "+Inf")], count);
        writer.Sample("capture_dns_upstream_latency_microseconds_sum", Volatile.Read(ref _latencySum));
        writer.Sample("capture_dns_upstream_latency_microseconds_count", count);
    }

    private static string Name(DnsResult result) => result switch
    {
        DnsResult.Local => "local",
        DnsResult.Forwarded => "forwarded",
        DnsResult.ServFail => "servfail",
        _ => "malformed",
    };
}
