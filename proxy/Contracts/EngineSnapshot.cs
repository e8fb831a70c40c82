namespace Capture.Proxy.Contracts;

/// <summary>Gauges read at scrape time (summed over all event loops; each value is read without a global lock).</summary>
/// <param name="ActiveConnections">Accepted and not yet closed.</param>
/// <param name="PipesPooled">Idle pipes kept for reuse.</param>
/// <param name="PipesLeased">Pipes lent to connections with bytes in flight.</param>
/// <param name="Listening">True once every listener is bound, false after drain starts.</param>
/// <param name="PipesGrown">Pipes grown to the bulk size (<c>--pipe-size</c>), pooled or leased.</param>
/// <param name="ReadBatchesStarted">A counter, not a gauge: times a bulk direction started batching its reads (<c>--read-batch</c>).</param>
internal readonly record struct EngineSnapshot(long ActiveConnections, long PipesPooled, long PipesLeased, bool Listening, long PipesGrown = 0,
    long ReadBatchesStarted = 0);
