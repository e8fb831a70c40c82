using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Engine;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Hosting;

/// <summary>
/// The real engine behind <see cref="IRelayEngine"/>, built from the validated <see cref="ProxyOptions"/>, with HBONE
/// (<see cref="HboneRuntime"/>: the workloads file's router, the tunnel pool, the 15008 server) when configured.
/// </summary>
internal sealed class EngineAdapter(ProxyEngine engine, HboneRuntime? hbone = null, Dns.DnsServer? dns = null) : IRelayEngine
{
    public long ActiveConnections => engine.ActiveConnections + (hbone?.ActiveStreams ?? 0);

    /// <summary>The factory Program passes to the host; bad HBONE files throw <see cref="ProxyStartException"/>.</summary>
    public static IRelayEngine Create(ProxyOptions options, ConnectionEvents events, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(events);
        HboneRuntime? hbone = HboneRuntime.Create(options, events.Metrics.Hbone, events.AccessLog, loggerFactory,
            authorizationMetrics: events.Metrics.Authorization);
        Dns.DnsServer? dns;
        try
        {
            dns = Dns.DnsRuntime.Create(options, hbone?.Workloads, events.Metrics.Dns, loggerFactory);
        }
        catch (ProxyStartException)
        {
            hbone?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }

        return new EngineAdapter(new ProxyEngine(options, events, loggerFactory, hbone?.Router), hbone, dns);
    }

    public void Start()
    {
        hbone?.Start();
        dns?.Start(); // the DNS proxy keeps answering through a drain: a stopping app may still resolve names
        engine.Start();
    }

    public Task RunAsync(CancellationToken cancellationToken) => engine.RunAsync(cancellationToken);

    public void BeginDrain(DrainScope scope)
    {
        hbone?.BeginDrain(); // 15008 is inbound: every drain closes it
        engine.BeginDrain(scope);
    }

    public Task DrainAsync(DrainScope scope, CancellationToken cancellationToken) =>
        hbone is null
            ? engine.DrainAsync(scope, cancellationToken)
            : Task.WhenAll(engine.DrainAsync(scope, cancellationToken), hbone.DrainAsync(cancellationToken));

    public EngineSnapshot Snapshot() => engine.Snapshot();

    public async ValueTask DisposeAsync()
    {
        await engine.DisposeAsync().ConfigureAwait(false);
        if (dns is not null)
        {
            await dns.DisposeAsync().ConfigureAwait(false);
        }

        if (hbone is not null)
        {
            await hbone.DisposeAsync().ConfigureAwait(false);
        }
    }
}
