namespace Capture.Proxy.Hosting;

/// <summary>
/// What the lifecycle needs from the relay engine (Reactor/Listening/Relaying): bind, run, drain, count. Kept this
/// small so the host is tested with a fake and the engine can change behind one adapter.
/// </summary>
internal interface IRelayEngine : IDisposable
{
    /// <summary>Binds every capture listener; throws <see cref="ProxyStartupException"/> naming what could not be bound.</summary>
    void Start();

    /// <summary>Runs the event loops until <paramref name="cancellationToken"/> fires, then closes every connection.</summary>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Stops accepting (closes the listeners); open connections keep relaying.</summary>
    void BeginDrain();

    /// <summary>Connections currently open, both directions.</summary>
    int ActiveConnections { get; }
}
