namespace Capture.Proxy.Metrics;

/// <summary>The Prometheus metric types capture-proxy exposes.</summary>
internal enum MetricType
{
    /// <summary>Only goes up (restarts at zero with the process); names end in <c>_total</c>.</summary>
    Counter,

    /// <summary>Goes up and down: active connections, pooled pipes.</summary>
    Gauge,

    /// <summary>Cumulative <c>_bucket{le=…}</c> counts, then <c>_sum</c> and <c>_count</c>.</summary>
    Histogram,
}
