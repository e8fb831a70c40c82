using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Engine;
using Capture.Proxy.Metrics;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Hosting;

/// <summary>The real engine behind <see cref="IRelayEngine"/>, built from the validated <see cref="ProxyOptions"/>.</summary>
internal sealed class EngineAdapter(ProxyEngine engine) : IRelayEngine
{
    public long ActiveConnections => engine.ActiveConnections;

    /// <summary>The factory Program passes to the host.</summary>
    public static IRelayEngine Create(ProxyOptions options, ConnectionEvents events, ILoggerFactory loggerFactory) =>
        new EngineAdapter(new ProxyEngine(ToEngineOptions(options), events, loggerFactory));

    /// <summary>Maps the user-facing options onto the engine's; the one place the two meet.</summary>
    public static ProxyEngineOptions ToEngineOptions(ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ProxyEngineOptions
        {
            OutboundPort = options.OutboundPort,
            InboundPort = options.InboundPort,
            InboundMode = options.Mode,
            Workers = options.Workers,
            ConnectTimeout = options.ConnectTimeout,
            // The CLI says 0 turns the idle timeout off; the engine spells "off" as an infinite timeout.
            IdleTimeout = options.IdleTimeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : options.IdleTimeout,
            PipeSize = options.PipeSize,
            PipePoolSize = options.PipePoolSize,
            ReadBatch = options.ReadBatch,
            TproxyMark = (int)options.TproxyMark, // validated to fit: SO_MARK takes the same 32 bits either way
            DrainDuration = options.DrainDuration,
        };
    }

    public void Start() => engine.Start();

    public Task RunAsync(CancellationToken cancellationToken) => engine.RunAsync(cancellationToken);

    public void BeginDrain(DrainScope scope) => engine.BeginDrain(scope);

    public Task DrainAsync(DrainScope scope, CancellationToken cancellationToken) => engine.DrainAsync(scope, cancellationToken);

    public EngineSnapshot Snapshot() => engine.Snapshot();

    public ValueTask DisposeAsync() => engine.DisposeAsync();
}
