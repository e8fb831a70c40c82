using Capture.Proxy.Contracts;
using Capture.Proxy.Engine;


namespace Capture.Proxy.Hosting;

/// <summary>
/// What the lifecycle needs from the relay engine: bind, run, drain, count. Kept this small so the host is tested with
/// a fake; <see cref="EngineAdapter"/> puts the real <see cref="ProxyEngine"/> behind it.
/// </summary>
internal interface IRelayEngine : IAsyncDisposable
{
    /// <summary>Binds every capture listener and starts the loops; throws <see cref="ProxyStartException"/> with a one-line reason.</summary>
    void Start();

    /// <summary>
    /// Completes when the loops have stopped: after a drain has run its course, or at once (resetting open
    /// connections) when <paramref name="cancellationToken"/> fires; faulted if a loop failed.
    /// </summary>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Stops accepting on the listeners of <paramref name="scope"/>; open connections keep relaying for the drain duration, then are reset.</summary>
    void BeginDrain(DrainScope scope);

    /// <summary>
    /// Drains <paramref name="scope"/> and completes when the drain duration is over (what was still open has been
    /// reset), or at once when <paramref name="cancellationToken"/> fires.
    /// </summary>
    Task DrainAsync(DrainScope scope, CancellationToken cancellationToken);

    /// <summary>Connections currently open, both directions.</summary>
    long ActiveConnections { get; }

    /// <summary>Gauges for the metrics endpoint.</summary>
    EngineSnapshot Snapshot();
}
