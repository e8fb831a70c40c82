using System.Net;
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
/// Measured with the proxy idle (see the README): the direct server keeps the admin endpoints' cost to what Kestrel
/// itself loads, where <c>WebApplication.CreateSlimBuilder</c> adds the hosting, configuration and DI graphs.
/// </remarks>
internal sealed class AdminServer : IAsyncDisposable
{
    // A sidecar's admin ports see a kubelet probe and a Prometheus scrape every few seconds; anything beyond a few
    // dozen concurrent connections is a misbehaving client and must not cost the relay descriptors.
    private const int MaxConnections = 64;

    private readonly KestrelServer _server;
    private readonly Application _application;

    public AdminServer(ProxyOptions options, AdminRequestHandler handler, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        KestrelServerOptions kestrel = new() { AddServerHeader = false };
        kestrel.Limits.MaxConcurrentConnections = MaxConnections;
        kestrel.Limits.MaxRequestBodySize = 0;
        kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;

        // HTTP/1.1 only: probes and scrapers speak it, and HTTP/2's HPACK tables and streams would only cost memory.
        int endpoints = 0;
        if (options.ReadinessPort != 0)
        {
            endpoints++;
            kestrel.ListenAnyIP(options.ReadinessPort, listen => listen.Protocols = HttpProtocols.Http1);
        }

        if (options.MetricsPort != 0)
        {
            endpoints++;
            kestrel.ListenAnyIP(options.MetricsPort, listen => listen.Protocols = HttpProtocols.Http1);
        }

        if (options.AdminEndpoint.Port != 0)
        {
            endpoints++;
            kestrel.Listen(options.AdminEndpoint, listen => listen.Protocols = HttpProtocols.Http1);
        }

        HasEndpoints = endpoints > 0;
        SocketTransportFactory transport = new(Options.Create(new SocketTransportOptions()), loggerFactory);
        _server = new KestrelServer(Options.Create(kestrel), transport, loggerFactory);
        _application = new Application(handler);
    }

    /// <summary>False when every port is zero: nothing to start.</summary>
    public bool HasEndpoints { get; }

    /// <summary>Binds every endpoint; an address in use surfaces as <see cref="IOException"/> naming it.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        HasEndpoints ? _server.StartAsync(_application, cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        HasEndpoints ? _server.StopAsync(cancellationToken) : Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _server.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Application(AdminRequestHandler handler) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context) => handler.HandleAsync(context);

        public void DisposeContext(HttpContext context, Exception? exception)
        {
            // DefaultHttpContext holds nothing that needs releasing; Kestrel owns the connection and its buffers.
        }
    }
}
