using Capture.Proxy.Authorization;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Identity;
using Capture.Proxy.Logging;
using Capture.Proxy.Metrics;
using Capture.Proxy.Tunneling;
using Capture.Proxy.Tunneling.Inbound;
using Capture.Proxy.Tunneling.Outbound;
using Capture.Proxy.Workloads;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Hosting;

/// <summary>
/// Everything HBONE in one running proxy: the workloads file, the credentials, the outbound router and tunnel pool,
/// and the inbound 15008 server. Built only when <c>--workloads</c> or <c>--certs</c> is given; the engine adapter
/// starts, drains and stops it with the event loops.
/// </summary>
internal sealed partial class HboneRuntime : IAsyncDisposable
{
    private readonly ProxyOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly HboneEventSink _events;
    private readonly WorkloadsFile? _workloads;
    private readonly CredentialsStore? _credentials;
    private readonly TunnelPool? _pool;
    private readonly HboneInboundServer? _inbound;
    private readonly TimeProvider _time;
    private Task? _inboundStop;

    private HboneRuntime(ProxyOptions options, HboneMetrics metrics, AccessLog accessLog, ILoggerFactory loggerFactory, TimeProvider time,
        AuthorizationMetrics authorizationMetrics)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _time = time;
        _logger = loggerFactory.CreateLogger("Capture.Proxy.Tunneling");
        _events = new HboneEventSink(metrics, accessLog);

        // Files are read here, before any listener is bound: a bad file is a start-up error, not a half-started proxy.
        try
        {
            _workloads = options.WorkloadsFile is { } path ? WorkloadsFile.Open(path, loggerFactory.CreateLogger("Capture.Proxy.Workloads"), time) : null;
        }
        catch (WorkloadsFileException ex)
        {
            throw new ProxyStartException(ex.Message, ex);
        }

        bool needsCertificates = _workloads?.Current.HasHbone == true;
        if (options.CertificatesDirectory is { } directory)
        {
            _credentials = new CredentialsStore(directory, loggerFactory.CreateLogger("Capture.Proxy.Identity"), time);
            if (_credentials.Current is null && needsCertificates)
            {
                _workloads?.Dispose();
                _credentials.Dispose();
                throw new ProxyStartException($"the workloads file names HBONE workloads, but the credentials cannot be used: {_credentials.Problem}");
            }
        }
        else if (needsCertificates)
        {
            _workloads?.Dispose();
            throw new ProxyStartException(
                $"{options.WorkloadsFile} names HBONE workloads: give the proxy its credentials with --certs DIR (env OUTPUT_CERTS): cert-chain.pem, key.pem, root-cert.pem");
        }

        bool servesHbone = _credentials is not null && options.HbonePort != 0;
        if (_workloads is not null)
        {
            ILogger outboundLogger = loggerFactory.CreateLogger("Capture.Proxy.Tunneling.Outbound");
            TunnelDialer dialer = new(StartHttp2, _events, options.ConnectTimeout);
            _pool = new TunnelPool(dialer.DialAsync, _events, outboundLogger, time);
            OutboundTunnels tunnels = new(_pool, Credentials, _events, outboundLogger, HboneInboundDefaults.Port, options.ConnectTimeout);
            Authorizer = Authorizer.For(_workloads, authorizationMetrics, loggerFactory.CreateLogger("Capture.Proxy.Authorization"));
            Router = new AuthorizingRouter(new HboneRouter(_workloads, Credentials, tunnels), Authorizer, servesHbone ? options.HbonePort : 0);
        }

        if (servesHbone)
        {
            _inbound = new HboneInboundServer(
                new HboneInboundOptions { Port = options.HbonePort, Mode = options.Mode, TproxyMark = (int)options.TproxyMark, ConnectTimeout = options.ConnectTimeout, Authorizer = Authorizer },
                Credentials, _events, loggerFactory);
        }
    }

    /// <summary>The router for the engine; null without a workloads file (everything passes through).</summary>
    public IUpstreamRouter? Router { get; }

    /// <summary>The workloads file, when given: the DNS proxy answers its services' names.</summary>
    public WorkloadsFile? Workloads => _workloads;

    /// <summary>Judges inbound connections (15006 and 15008) by the workloads file's policies; null without a workloads file.</summary>
    public Authorizer? Authorizer { get; }

    /// <summary>Inbound HBONE streams being set up or relayed (outbound ones are the engine's handed-off connections).</summary>
    public long ActiveStreams => _inbound?.Handler.ActiveStreams ?? 0;

    /// <summary>Null when neither <c>--workloads</c> nor <c>--certs</c> is given; throws <see cref="ProxyStartException"/> for bad files.</summary>
    public static HboneRuntime? Create(ProxyOptions options, HboneMetrics metrics, AccessLog accessLog, ILoggerFactory loggerFactory, TimeProvider? time = null,
        AuthorizationMetrics? authorizationMetrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.WorkloadsFile is null && options.CertificatesDirectory is null
            ? null
            : new HboneRuntime(options, metrics, accessLog, loggerFactory, time ?? TimeProvider.System, authorizationMetrics ?? new AuthorizationMetrics());
    }

    /// <summary>Binds 15008; an address in use is a start-up error.</summary>
    public void Start()
    {
        if (_inbound is null)
        {
            return;
        }

        try
        {
            // Kestrel's start is quick (bind and listen); the host's start is synchronous.
            _inbound.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (IOException ex)
        {
            throw new ProxyStartException($"cannot start the HBONE server on port {_options.HbonePort}: {ex.Message}", ex);
        }

        Log.Listening(_logger, _options.HbonePort, _credentials?.Current?.Identity ?? "(no usable credentials yet)");
    }

    /// <summary>
    /// Stops accepting on 15008 (a GOAWAY to open connections) and lets open streams run for the drain duration;
    /// what is still open then is reset. Inbound only: outbound tunnels are the engine's handed-off connections.
    /// </summary>
    public void BeginDrain()
    {
        if (_inbound is not null && _inboundStop is null)
        {
            CancellationTokenSource deadline = new(_options.DrainDuration, _time);
            _inboundStop = StopInboundAsync(deadline);
        }
    }

    /// <summary>Completes when the inbound drain is over.</summary>
    public Task DrainAsync(CancellationToken cancellationToken)
    {
        BeginDrain();
        return (_inboundStop ?? Task.CompletedTask).WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_inbound is not null)
        {
            using CancellationTokenSource now = new();
            await now.CancelAsync().ConfigureAwait(false);
            await _inbound.StopAsync(now.Token).ConfigureAwait(false);
            await _inbound.DisposeAsync().ConfigureAwait(false);
        }

        if (_pool is not null)
        {
            await _pool.DisposeAsync().ConfigureAwait(false);
        }

        _workloads?.Dispose();
        _credentials?.Dispose();
    }

    private WorkloadCredentials? Credentials() => _credentials?.Current;

    private async Task StopInboundAsync(CancellationTokenSource deadline)
    {
        using (deadline)
        {
            try
            {
                await _inbound!.StopAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The drain ran out: Kestrel reset what was left, which is what the deadline means.
            }
        }
    }

    private Task<ITunnelConnection> StartHttp2(Stream transport, CancellationToken cancellationToken) =>
        Http2TunnelConnection.StartAsync(transport, _time, _loggerFactory.CreateLogger("Capture.Proxy.Tunneling.Http2"), cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(EventId = 845, Level = LogLevel.Information, EventName = "HboneListening",
            Message = "HBONE server on port {Port} as {Identity}")]
        public static partial void Listening(ILogger logger, int port, string identity);
    }
}
