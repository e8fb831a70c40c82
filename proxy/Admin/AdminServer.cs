using System.Net;
using Capture.Proxy.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capture.Proxy.Admin;

/// <summary>
/// Kestrel, constructed directly with its socket transport and an <see cref="IHttpApplication{TContext}"/> of our own:
/// no generic host, no DI container, no configuration system, no routing. Serves readiness, metrics and admin on their
/// own ports (a port of zero is left out).
/// </summary>
/// <remarks>
/// Measured idle (2 workers, UID 1337, median of 3, 2026-11-21): the published single-file proxy had 62.2 MB RSS with
/// the three endpoints and 59.8 MB with all three ports at 0, so Kestrel costs about 2.3 MB; of the 62 MB only 6 MB
/// were anonymous memory, the rest file-backed pages of the bundle. Framework-dependent: 49.7 vs 47.9 MB.
/// </remarks>
internal sealed class AdminServer : IAsyncDisposable
{
    // A sidecar's admin ports see a kubelet probe and a Prometheus scrape every few seconds; anything beyond a few
    // dozen concurrent connections is a misbehaving client and must not cost the relay descriptors. Past the limit the
    // oldest idle connection is closed (IdleEvictingLimit): refusing the new one would refuse the kubelet's probe.
    internal const int MaxConnections = 64;

    // Probes send their request at once on a new connection, and scrapers every 15 s or more: a connection that has
    // not sent a whole request head within a few seconds, or sits idle between requests, is only holding a slot.
    internal static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(3);
    internal static readonly TimeSpan KeepAliveTimeout = TimeSpan.FromSeconds(5);

    private readonly KestrelServer? _server;
    private readonly Application _application;

    public AdminServer(ProxyOptions options, AdminRequestHandler handler, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        _application = new Application(handler, Limit);
        HasEndpoints = options.ReadinessPort != 0 || options.MetricsPort != 0 || options.AdminEndpoint.Port != 0;
        if (HasEndpoints)
        {
            // Only now is Kestrel touched at all: with every port at zero none of its assemblies is loaded.
            _server = CreateServer(options, loggerFactory);
        }
    }

    /// <summary>The connection limit shared by the three ports.</summary>
    public IdleEvictingLimit Limit { get; } = new(MaxConnections);

    /// <summary>False when every port is zero: nothing to start.</summary>
    public bool HasEndpoints { get; }

    /// <summary>Binds every endpoint; an address in use surfaces as <see cref="IOException"/> naming it.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        _server?.StartAsync(_application, cancellationToken) ?? Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        _server?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    private KestrelServer CreateServer(ProxyOptions options, ILoggerFactory loggerFactory)
    {
        KestrelServerOptions kestrel = new() { AddServerHeader = false };
        kestrel.Limits.MaxConcurrentConnections = null; // IdleEvictingLimit keeps the count, evicting instead of refusing
        kestrel.Limits.RequestHeadersTimeout = RequestHeadersTimeout;
        kestrel.Limits.KeepAliveTimeout = KeepAliveTimeout;
        kestrel.Limits.MaxRequestBodySize = 0;
        kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;

        // HTTP/1.1 only: probes and scrapers speak it, and HTTP/2's HPACK tables and streams would only cost memory.
        if (options.ReadinessPort != 0)
        {
            kestrel.ListenAnyIP(options.ReadinessPort, Configure);
        }

        if (options.MetricsPort != 0)
        {
            kestrel.ListenAnyIP(options.MetricsPort, Configure);
        }

        if (options.AdminEndpoint.Port != 0)
        {
            kestrel.Listen(options.AdminEndpoint, Configure);
        }

        SocketTransportFactory transport = new(Options.Create(new SocketTransportOptions()), loggerFactory);
        return new KestrelServer(Options.Create(kestrel), transport, loggerFactory);
    }

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Configure(ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http1;
        listen.Use(Limit.Wrap);
    }

    private sealed class Application(AdminRequestHandler handler, IdleEvictingLimit limit) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures)
        {
            DefaultHttpContext context = new(contextFeatures);
            limit.RequestStarted(context.Connection.Id); // busy until disposed: not evicted mid-request if others are idle
            return context;
        }

        public Task ProcessRequestAsync(HttpContext context) => handler.HandleAsync(context);

        public void DisposeContext(HttpContext context, Exception? exception) => limit.RequestEnded(context.Connection.Id);
    }
}
