using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Engine;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Hosting;

/// <summary>The real engine behind <see cref="IRelayEngine"/>, built from the validated <see cref="ProxyOptions"/>.</summary>
internal sealed class EngineAdapter(ProxyEngine engine) : IRelayEngine
{
    public long ActiveConnections => engine.ActiveConnections;

    /// <summary>The factory Program passes to the host.</summary>
    public static IRelayEngine Create(ProxyOptions options, ConnectionEvents events, ILoggerFactory loggerFactory) =>
        new EngineAdapter(new ProxyEngine(options, events, loggerFactory));

    public void Start() => engine.Start();

    public Task RunAsync(CancellationToken cancellationToken) => engine.RunAsync(cancellationToken);

    public void BeginDrain(DrainScope scope) => engine.BeginDrain(scope);

    public Task DrainAsync(DrainScope scope, CancellationToken cancellationToken) => engine.DrainAsync(scope, cancellationToken);

    public EngineSnapshot Snapshot() => engine.Snapshot();

    public ValueTask DisposeAsync() => engine.DisposeAsync();
}
