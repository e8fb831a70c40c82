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

    /// <summary>Stops accepting (closes the listeners); open connections keep relaying for the drain duration.</summary>
    void BeginDrain();

    /// <summary>Connections currently open, both directions.</summary>
    long ActiveConnections { get; }

    /// <summary>Gauges for the metrics endpoint.</summary>
    EngineSnapshot Snapshot();
}
