using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Configuration;
using Capture.Proxy.Connecting;
using Capture.Proxy.Contracts;
using Capture.Proxy.Listening;
using Capture.Proxy.Reactor;
using Capture.Proxy.Relaying;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Engine;

/// <summary>
/// The data path: <see cref="ProxyOptions.Workers"/> event loops, each with its own epoll and SO_REUSEPORT
/// listeners on the outbound and inbound ports (IPv4 and IPv6), relaying with splice.
/// </summary>
/// <remarks>
/// Lifecycle: <see cref="Start"/> binds every listener (throws <see cref="ProxyStartException"/> with a one-line reason)
/// and starts the loops, after which the proxy is ready; <see cref="BeginDrain"/> closes the listeners and lets open
/// connections finish for <see cref="ProxyOptions.DrainDuration"/>, then resets the rest, while the loops keep
/// running; <see cref="Stop"/> (or cancelling <see cref="RunAsync"/>) resets what is open and ends the loops.
/// <see cref="Completion"/> completes only after a stop, or faulted when a loop failed on its own.
/// </remarks>
internal sealed partial class ProxyEngine : IAsyncDisposable
{

    private readonly ProxyOptions _options;
    private readonly IProxyEvents _events;
    private readonly ILogger _logger;
    private readonly IOriginalDestinationResolver _resolver;
    private readonly TimeProvider _timeProvider;
    private readonly IUpstreamRouter _router;
    private readonly HandOffSet _handOffs = new();
    private ITimer? _drainDeadline;
    private readonly TaskCompletionSource _drainOver = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private EventLoop[] _loops = [];
    private RelayContext[] _relays = [];
    private LoopListeners[] _listeners = [];
    private LoopGuard? _guard;
    private Task? _completion;
    private bool _draining;

    public ProxyEngine(ProxyOptions options, IProxyEvents events, ILoggerFactory loggerFactory, IUpstreamRouter? router = null)
        : this(options, events, loggerFactory, resolver: null, timeProvider: null, router)
    {
    }

    /// <summary>
    /// Tests pass a <paramref name="resolver"/> (e.g. <see cref="FixedDestinationResolver"/>) to run without iptables.
    /// <paramref name="router"/> decides per connection between the loop's own relay and a hand-off (default: passthrough).
    /// </summary>
    internal ProxyEngine(ProxyOptions options, IProxyEvents events, ILoggerFactory loggerFactory, IOriginalDestinationResolver? resolver,
        TimeProvider? timeProvider, IUpstreamRouter? router = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _events = events;
        _logger = loggerFactory.CreateLogger<ProxyEngine>();
        _resolver = resolver ?? new OriginalDestinationResolver(options.Mode);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _router = router ?? PassthroughRouter.Instance;
        UpstreamSockets = new UpstreamSocketFactory(options.Mode, (int)options.TproxyMark, options.InboundPassthroughSourceV4,
            options.InboundPassthroughSourceV6);
    }

    /// <summary>
    /// How upstream sockets are made (source binding by direction and mode): the loops use it, and so can a
    /// <see cref="IConnectionHandler"/> that connects to the original destination itself.
    /// </summary>
    public UpstreamSocketFactory UpstreamSockets { get; }

    /// <summary>Bound outbound listener endpoints (one per family), after <see cref="Start"/>.</summary>
    public IReadOnlyList<IPEndPoint> OutboundEndPoints { get; private set; } = [];

    /// <summary>Bound inbound listener endpoints (one per family), after <see cref="Start"/>.</summary>
    public IReadOnlyList<IPEndPoint> InboundEndPoints { get; private set; } = [];

    /// <summary>True once started and until drain begins: what readiness (15021) should report.</summary>
    public bool IsListening => _completion is not null && !_draining && !_completion.IsCompleted;

    /// <summary>Accepted and not yet closed, over all loops, handed-off connections included.</summary>
    public long ActiveConnections
    {
        get
        {
            long total = _handOffs.Count;
            foreach (RelayContext relays in _relays)
            {
                total += relays.ActiveConnections;
            }

            return total;
        }
    }

    /// <summary>Completes when every loop has stopped (after drain or stop); faulted if a loop failed.</summary>
    public Task Completion => _completion ?? Task.CompletedTask;

    /// <summary>Gauges for the metrics endpoint.</summary>
    public EngineSnapshot Snapshot()
    {
        long pooled = 0;
        long leased = 0;
        long grown = 0;
        long batches = 0;
        foreach (RelayContext relays in _relays)
        {
            pooled += relays.Pipes.Pooled;
            leased += relays.Pipes.Leased;
            grown += relays.Pipes.Bulk;
            batches += relays.Batching.BatchesStarted;
        }

        return new EngineSnapshot(ActiveConnections, pooled, leased, IsListening, grown, batches);
    }

    /// <summary>Managed bytes allocated by all event loop threads so far (see <see cref="EventLoop.AllocatedBytes"/>).</summary>
    internal long LoopAllocatedBytes => _loops.Sum(l => l.AllocatedBytes);

    /// <summary>Racy description of every open connection; for diagnosing a stalled test, not for production use.</summary>
    internal string DescribeConnections() => string.Join(Environment.NewLine, _loops.SelectMany(l => l.DescribeHandlers()));

    /// <summary>Validates the options, binds every listener and starts the loops. Idempotent.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_completion is not null)
            {
                return;
            }

            IReadOnlyList<string> problems = _options.Validate(ephemeralCapturePorts: true);
            if (problems.Count > 0)
            {
                throw new ProxyStartException("invalid engine options: " + string.Join("; ", problems));
            }

            List<EventLoop> loops = [];
            List<RelayContext> relays = [];
            List<LoopListeners> loopListeners = [];
            List<ListenerSocket[]> listeners = [];
            ConnectRetry retry = new(_options.ConnectRetries, _options.ConnectRetryDelay);
            try
            {
                listeners = OpenListeners();
                _guard = new LoopGuard([.. OutboundEndPoints.Select(e => e.Port).Concat(InboundEndPoints.Select(e => e.Port)).Distinct()]);
                long sweepIntervalMs = RelayContext.SweepIntervalMs(_options);
                for (int i = 0; i < _options.Workers; i++)
                {
                    // Each loop: the reactor, the relay of its connections, and its listeners, whose intake feeds that relay.
                    EventLoop loop = new(i, sweepIntervalMs, _logger);
                    loops.Add(loop);
                    RelayContext relay = new(loop, _options, _events, _logger, retry, UpstreamSockets);
                    relays.Add(relay);
                    ConnectionIntake intake = new(_resolver, _guard, _router, _handOffs, relay, _events, _logger);
                    loopListeners.Add(new LoopListeners(loop, listeners[i], intake, _logger));
                }
            }
            catch
            {
                foreach (ListenerSocket listener in listeners.SelectMany(l => l))
                {
                    listener.Dispose();
                }

                loopListeners.ForEach(l => l.Dispose());
                relays.ForEach(r => r.Dispose());
                loops.ForEach(l => l.Dispose());
                _guard?.Dispose();
                throw;
            }

            _loops = [.. loops];
            _relays = [.. relays];
            _listeners = [.. loopListeners];
            foreach (EventLoop loop in _loops)
            {
                loop.Start();
            }

            _completion = WaitForLoopsAsync();
            Log.Listening(_logger, OutboundEndPoints, InboundEndPoints, _options.Mode, _options.Workers);
        }
    }

    /// <summary>Starts if needed and completes with the engine. Cancelling <paramref name="cancellationToken"/> stops at once (resets open connections); for a graceful stop call <see cref="BeginDrain"/>.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Start();
        using CancellationTokenRegistration registration = cancellationToken.Register(static s => ((ProxyEngine)s!).Stop(), this);
        await Completion.ConfigureAwait(false);
    }

    /// <summary>
    /// Stops accepting on the listeners of <paramref name="scope"/> and lets open connections finish for the drain
    /// duration; then resets what is left, handed-off connections included. The engine is the one owner of that
    /// deadline; the loops keep running (idle) until <see cref="Stop"/>. A later call can widen the scope, not restart the clock.
    /// </summary>
    public void BeginDrain(DrainScope scope = DrainScope.AllListeners)
    {
        bool first;
        lock (_gate)
        {
            if (_completion is null)
            {
                return;
            }

            first = !_draining;
            _draining = true;
            if (first)
            {
                _drainDeadline = _timeProvider.CreateTimer(static s => ((ProxyEngine)s!).OnDrainDeadline(), this, _options.DrainDuration,
                    Timeout.InfiniteTimeSpan);
            }
        }

        if (first)
        {
            Log.Draining(_logger, scope == DrainScope.InboundOnly ? "inbound listeners closed, outbound still captured" : "listeners closed",
                ActiveConnections, _options.DrainDuration);
        }

        for (int i = 0; i < _loops.Length; i++)
        {
            _loops[i].Post(_listeners[i].CloseWork(inboundOnly: scope == DrainScope.InboundOnly));
        }
    }

    /// <summary>
    /// Drains (see <see cref="BeginDrain"/>) for the whole drain duration, as Istio's agent does: what is still
    /// captured (outbound, with <see cref="DrainScope.InboundOnly"/>) keeps working until then, for an app that calls
    /// out while it shuts down. Completes once the deadline has passed and what was left has been told to reset, when
    /// a loop failed, or when <paramref name="cancellationToken"/> fires (a second SIGTERM: the caller stops at once).
    /// </summary>
    public async Task DrainAsync(DrainScope scope, CancellationToken cancellationToken)
    {
        BeginDrain(scope);
        await Task.WhenAny(_drainOver.Task, Completion).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops now: resets every open connection and ends the loops.</summary>
    public void Stop()
    {
        _handOffs.AbortAll();
        foreach (EventLoop loop in _loops)
        {
            loop.Stop();
        }
    }

    private void OnDrainDeadline()
    {
        _handOffs.AbortAll();
        foreach (EventLoop loop in _loops)
        {
            loop.AbortAll();
        }

        _drainOver.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        try
        {
            await Completion.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failed loop was already logged and surfaced through Completion; disposal still releases everything.
        }

        _drainDeadline?.Dispose();
        _guard?.Dispose();
    }

    private async Task WaitForLoopsAsync()
    {
        try
        {
            await Task.WhenAll(_loops.Select(l => l.Completion)).ConfigureAwait(false);
        }
        finally
        {
            // The loops aborted their connections on the way out (pipes returned), so the pools and listeners go last.
            for (int i = 0; i < _loops.Length; i++)
            {
                _loops[i].Dispose();
                _listeners[i].Dispose();
                _relays[i].Dispose();
            }
        }
    }

    /// <summary>
    /// One listener per loop for each (direction, address). With port 0 (tests) the first loop's bind picks the port
    /// and the other loops join it through SO_REUSEPORT.
    /// </summary>
    private List<ListenerSocket[]> OpenListeners()
    {
        List<List<ListenerSocket>> perLoop = [.. Enumerable.Range(0, _options.Workers).Select(_ => new List<ListenerSocket>())];
        List<IPEndPoint> outbound = [];
        List<IPEndPoint> inbound = [];
        try
        {
            foreach ((TrafficDirection direction, int port) in new[] { (TrafficDirection.Outbound, _options.OutboundPort), (TrafficDirection.Inbound, _options.InboundPort) })
            {
                bool transparent = direction == TrafficDirection.Inbound && _options.Mode == InboundMode.Tproxy;
                foreach (IPAddress address in _options.ListenAddresses)
                {
                    IPEndPoint endPoint = new(address, port);
                    for (int i = 0; i < _options.Workers; i++)
                    {
                        ListenerSocket? listener = ListenerSocket.Open(direction, endPoint, transparent, _options.ListenBacklog);
                        if (listener is null)
                        {
                            Log.FamilyUnavailable(_logger, endPoint);
                            break;
                        }

                        perLoop[i].Add(listener);
                        if (i == 0)
                        {
                            endPoint = listener.EndPoint;
                            (direction == TrafficDirection.Outbound ? outbound : inbound).Add(listener.EndPoint);
                        }
                    }
                }
            }
        }
        catch
        {
            foreach (ListenerSocket listener in perLoop.SelectMany(l => l))
            {
                listener.Dispose();
            }

            throw;
        }

        if (outbound.Count == 0 || inbound.Count == 0)
        {
            foreach (ListenerSocket listener in perLoop.SelectMany(l => l))
            {
                listener.Dispose();
            }

            throw new ProxyStartException("no listen address could be bound (is IPv4 disabled too?)");
        }

        OutboundEndPoints = outbound;
        InboundEndPoints = inbound;
        return [.. perLoop.Select(l => l.ToArray())];
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 101, Level = LogLevel.Information, EventName = "Listening",
            Message = "Listening: outbound {Outbound}, inbound {Inbound} ({InboundMode}), {Workers} event loop(s)")]
        public static partial void Listening(ILogger logger, IReadOnlyList<IPEndPoint> outbound, IReadOnlyList<IPEndPoint> inbound, InboundMode inboundMode, int workers);

        [LoggerMessage(EventId = 102, Level = LogLevel.Information, EventName = "FamilyUnavailable",
            Message = "Not listening on {EndPoint}: the address family is not available on this host")]
        public static partial void FamilyUnavailable(ILogger logger, IPEndPoint endPoint);

        [LoggerMessage(EventId = 108, Level = LogLevel.Information, EventName = "Draining",
            Message = "Draining: {What}, {Active} connection(s) open, reset after {DrainDuration}")]
        public static partial void Draining(ILogger logger, string what, long active, TimeSpan drainDuration);
    }
}
