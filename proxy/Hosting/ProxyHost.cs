using Capture.Proxy.Admin;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Logging;
using Capture.Proxy.Metrics;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Hosting;

/// <summary>
/// The proxy's life: admin endpoints up (readiness 503) → capture listeners bound → ready (200) → on SIGTERM, SIGINT
/// or <c>/quitquitquit</c>: not ready, stop accepting, let open connections finish for up to the drain duration, close
/// the rest, exit 0.
/// </summary>
internal sealed partial class ProxyHost : IProxyLifecycle, IDisposable
{
    // Bounds for steps that should be immediate; a bug must not turn SIGTERM into SIGKILL after the grace period.
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(5);

    private readonly ProxyOptions _options;
    private readonly Func<ProxyOptions, ConnectionEvents, ILoggerFactory, IRelayEngine> _engineFactory;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<bool> _hasNetAdmin;
    private readonly TaskCompletionSource _shutdownRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _forceStop = new();
    private readonly Lock _engineLock = new();
    private IRelayEngine? _engine;
    private DrainScope? _drainRequested;

    public ProxyHost(
        ProxyOptions options,
        Func<ProxyOptions, ConnectionEvents, ILoggerFactory, IRelayEngine> engineFactory,
        ILoggerFactory loggerFactory,
        LogLevelSwitch levels,
        TimeProvider? time = null,
        Func<bool>? hasNetAdmin = null)
    {
        _options = options;
        _engineFactory = engineFactory;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<ProxyHost>();
        _time = time ?? TimeProvider.System;
        _hasNetAdmin = hasNetAdmin ?? (() => Capabilities.HasEffective(Capabilities.CAP_NET_ADMIN));
        Levels = levels;
        Events = new ConnectionEvents(Metrics, new AccessLog(loggerFactory));
    }

    public Readiness Readiness { get; } = new();

    public ProxyMetrics Metrics { get; } = new();

    public ConnectionEvents Events { get; }

    public LogLevelSwitch Levels { get; }

    /// <summary>
    /// Runs until shutdown is requested (through <paramref name="cancellationToken"/> or <see cref="RequestShutdown"/>)
    /// and the drain is over. Startup problems throw <see cref="ProxyStartException"/>.
    /// </summary>
    public async Task<ExitCode> RunAsync(CancellationToken cancellationToken)
    {
        using CancellationTokenRegistration onCancel = cancellationToken.Register(() => RequestShutdown("signal"));

        if (_options.Mode == InboundMode.Tproxy && !_hasNetAdmin())
        {
            throw new ProxyStartException(
                "TPROXY mode needs CAP_NET_ADMIN (for IP_TRANSPARENT and SO_MARK), and this process does not have it: " +
                "add NET_ADMIN to the container's capabilities, or use --mode REDIRECT.");
        }

        AdminRequestHandler handler = new(_options, Readiness, Metrics, Levels, this, _logger);
        await using AdminServer admin = new(_options, handler, _loggerFactory);
        try
        {
            await admin.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            // Kestrel says "Failed to bind to address http://0.0.0.0:15021: address already in use."
            throw new ProxyStartException($"cannot start the admin endpoints: {ex.Message}", ex);
        }

        await using IRelayEngine engine = _engineFactory(_options, Events, _loggerFactory);
        engine.Start();
        Metrics.Snapshot = engine.Snapshot;
        lock (_engineLock)
        {
            _engine = engine;
            if (_drainRequested is { } scope)
            {
                engine.BeginDrain(scope); // /drain arrived while the listeners were being bound
            }
        }

        if (Readiness.MarkReady())
        {
            // Which build runs (the published executable is Native AOT, where nothing is JIT-compiled); the integration
            // tests check it.
            Log.Ready(_logger, _options.OutboundPort, _options.InboundPort, _options.Mode, _options.Workers,
                System.Runtime.JitInfo.GetCompiledMethodCount() == 0 ? "Native AOT" : "JIT");
        }

        using CancellationTokenSource stop = new();
        Task run = engine.RunAsync(stop.Token);
        Task first = await Task.WhenAny(run, _shutdownRequested.Task).ConfigureAwait(false);
        if (first == run && !run.IsFaulted && DrainRequested)
        {
            // POST /drain ran its course: the loops are done, but the process stays up (not ready) until told to quit,
            // as Envoy does after /drain_listeners.
            await _shutdownRequested.Task.ConfigureAwait(false);
        }
        else if (first == run)
        {
            // The engine stopped on its own: a listener or loop failed. Not ready any more, and not a clean exit.
            Readiness.MarkStopped();
            await StopAdminAsync(admin).ConfigureAwait(false);
            await run.ConfigureAwait(false); // rethrows what stopped it; Program logs it
            Log.EngineStopped(_logger);
            return ExitCode.Failure;
        }

        await DrainAsync(engine).ConfigureAwait(false);

        Readiness.MarkStopped();
        long remaining = engine.ActiveConnections;
        await stop.CancelAsync().ConfigureAwait(false);
        await run.WaitAsync(s_stopTimeout, CancellationToken.None).ConfigureAwait(false);
        await StopAdminAsync(admin).ConfigureAwait(false);
        Log.Stopped(_logger, remaining);
        return ExitCode.Success;
    }

    /// <inheritdoc/>
    public void BeginDrain(string reason, DrainScope scope)
    {
        bool changed = Readiness.MarkDraining();
        lock (_engineLock)
        {
            // A drain can widen (inbound only, then all) but never narrow: a closed listener stays closed.
            _drainRequested = _drainRequested == DrainScope.AllListeners ? DrainScope.AllListeners : scope;
            _engine?.BeginDrain(scope);
        }

        if (changed)
        {
            Log.DrainStarted(_logger, reason, scope == DrainScope.InboundOnly ? "inbound" : "inbound and outbound", _engine?.ActiveConnections ?? 0);
        }
    }

    /// <inheritdoc/>
    public void RequestShutdown(string reason)
    {
        if (!_shutdownRequested.TrySetResult())
        {
            // A second SIGTERM/SIGINT while draining means "now": stop waiting for connections to finish.
            Log.ForcedStop(_logger, reason);
            _forceStop.Cancel();
            return;
        }

        Log.ShutdownRequested(_logger, reason, _options.DrainDuration);
    }

    public void Dispose() => _forceStop.Dispose();

    private bool DrainRequested
    {
        get
        {
            lock (_engineLock)
            {
                return _drainRequested is not null;
            }
        }
    }

    /// <summary>
    /// SIGTERM or /quitquitquit: inbound stops (the pod is leaving the endpoints), outbound keeps being captured and
    /// relayed for the whole drain duration, because the app may still call out while it shuts down (Istio drains
    /// inbound only, istio/istio#36618). A second request ends the wait at once.
    /// </summary>
    private async Task DrainAsync(IRelayEngine engine)
    {
        BeginDrain("shutdown", DrainScope.InboundOnly);
        try
        {
            await engine.DrainAsync(DrainScope.InboundOnly, _forceStop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // forced: close what is left now
        }
    }

    private static async Task StopAdminAsync(AdminServer admin)
    {
        using CancellationTokenSource timeout = new(s_stopTimeout);
        await admin.StopAsync(timeout.Token).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 501, Level = LogLevel.Information, EventName = "Ready",
            Message = "Ready: outbound on {OutboundPort}, inbound on {InboundPort} ({Mode}), {Workers} workers, {Runtime}")]
        public static partial void Ready(ILogger logger, int outboundPort, int inboundPort, InboundMode mode, int workers, string runtime);

        [LoggerMessage(EventId = 502, Level = LogLevel.Information, EventName = "ShutdownRequested",
            Message = "Shutdown requested ({Reason}): draining for up to {DrainDuration}")]
        public static partial void ShutdownRequested(ILogger logger, string reason, TimeSpan drainDuration);

        [LoggerMessage(EventId = 503, Level = LogLevel.Information, EventName = "DrainStarted",
            Message = "Draining ({Reason}): not ready, no longer accepting {Directions} connections; {Active} connections open")]
        public static partial void DrainStarted(ILogger logger, string reason, string directions, long active);

        [LoggerMessage(EventId = 505, Level = LogLevel.Information, EventName = "Stopped",
            Message = "Stopped; {Remaining} connections were still open and have been closed")]
        public static partial void Stopped(ILogger logger, long remaining);

        [LoggerMessage(EventId = 506, Level = LogLevel.Warning, EventName = "ForcedStop",
            Message = "Second shutdown request ({Reason}): closing open connections now")]
        public static partial void ForcedStop(ILogger logger, string reason);

        [LoggerMessage(EventId = 507, Level = LogLevel.Error, EventName = "EngineStopped",
            Message = "The relay engine stopped by itself; exiting")]
        public static partial void EngineStopped(ILogger logger);
    }
}
