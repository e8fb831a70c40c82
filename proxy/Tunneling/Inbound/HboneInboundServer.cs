using System.Net;
using Capture.Proxy.Connecting;
using Capture.Proxy.Identity;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>
/// Inbound HBONE on 15008: Kestrel (constructed directly, as the admin server is) speaking HTTP/2 only, behind our
/// TLS 1.3 middleware, with ztunnel's flow-control settings; each CONNECT stream goes to <see cref="InboundStreamHandler"/>.
/// </summary>
internal sealed class HboneInboundServer : IAsyncDisposable
{
    // ztunnel's server settings (HBONE.md §1): 4 MiB stream window, 16 MiB connection window, 1 MiB frames, 64 KiB headers.
    private const int StreamWindow = 4 * 1024 * 1024;
    private const int ConnectionWindow = 16 * 1024 * 1024;
    private const int MaxFrameSize = 1024 * 1024;
    private const int MaxHeaderBytes = 64 * 1024;

    // Pooled clients keep idle connections for 5 minutes; the server must not close them sooner.
    private static readonly TimeSpan s_idleConnectionTimeout = TimeSpan.FromMinutes(10);

    private readonly KestrelServer _server;
    private readonly BlockMemoryPool _memoryPool = new();
    private readonly Application _application;
    private readonly LocalAddresses _localAddresses;
    private readonly CancellationTokenSource _stop = new();

    public HboneInboundServer(HboneInboundOptions options, Func<WorkloadCredentials?> credentials, IHboneEvents events, ILoggerFactory loggerFactory,
        LocalAddresses? localAddresses = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ILogger logger = loggerFactory.CreateLogger("Capture.Proxy.Tunneling.Inbound");
        _localAddresses = localAddresses ?? new LocalAddresses();
        UpstreamSocketFactory sockets = new(options.Mode, options.TproxyMark, IPAddress.Parse("127.0.0.6"), IPAddress.Parse("::6"));
        Handler = new InboundStreamHandler(options, _localAddresses, new InboundUpstream(sockets, options.ConnectTimeout), events, logger, _stop.Token);
        _application = new Application(Handler);

        KestrelServerOptions kestrel = new() { AddServerHeader = false };
        kestrel.Limits.MaxRequestBodySize = null; // a tunnel carries any number of bytes
        kestrel.Limits.MinRequestBodyDataRate = null; // and may sit idle for hours, as TCP connections do
        kestrel.Limits.MinResponseDataRate = null;
        kestrel.Limits.KeepAliveTimeout = s_idleConnectionTimeout;
        kestrel.Limits.MaxRequestHeadersTotalSize = MaxHeaderBytes;
        kestrel.Limits.Http2.MaxStreamsPerConnection = options.MaxStreamsPerConnection;
        kestrel.Limits.Http2.InitialStreamWindowSize = StreamWindow;
        kestrel.Limits.Http2.InitialConnectionWindowSize = ConnectionWindow;
        kestrel.Limits.Http2.MaxFrameSize = MaxFrameSize;
        kestrel.Limits.Http2.MaxRequestHeaderFieldSize = MaxHeaderBytes;
        kestrel.ListenAnyIP(options.Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.Use(next => new TlsHandshakeMiddleware(next, credentials, events, logger, options.HandshakeTimeout).OnConnectionAsync);
        });

        _server = new KestrelServer(Options.Create(kestrel), new SocketListenerFactory(_memoryPool), loggerFactory);
    }

    public InboundStreamHandler Handler { get; }

    /// <summary>Binds 15008 (IPv4 and IPv6); an address in use surfaces as <see cref="IOException"/>.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => _server.StartAsync(_application, cancellationToken);

    /// <summary>
    /// Stops accepting (GOAWAY to open connections), lets streams finish until <paramref name="cancellationToken"/>
    /// fires, then resets what is left.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using CancellationTokenRegistration onDeadline = cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _stop);
        await _server.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where it listens, once started (tests bind port 0).</summary>
    public IReadOnlyList<IPEndPoint> EndPoints
    {
        get
        {
            List<IPEndPoint> endPoints = [];
            foreach (string address in _server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            {
                Uri uri = new(address.Replace("[::]", "[::1]", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
                endPoints.Add(new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port));
            }

            return endPoints;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _server.Dispose();
        _memoryPool.Dispose();
        _localAddresses.Dispose();
        _stop.Dispose();
    }

    private sealed class Application(InboundStreamHandler handler) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public Task ProcessRequestAsync(HttpContext context) => handler.HandleAsync(context);

        public void DisposeContext(HttpContext context, Exception? exception)
        {
            // DefaultHttpContext holds nothing that needs releasing; Kestrel owns the stream and its buffers.
        }
    }
}
