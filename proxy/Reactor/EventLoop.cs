using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Connecting;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Listening;
using Capture.Proxy.Relaying;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Reactor;

/// <summary>
/// One event loop: a dedicated thread, its own epoll, its own SO_REUSEPORT listeners, and every connection those
/// listeners accepted. Nothing here is shared with other loops except the events sink; other threads talk to it
/// only through <see cref="Post"/>.
/// </summary>
internal sealed partial class EventLoop : IDisposable
{
    private const int MaxEvents = 256;
    private const int ScratchSize = 64 * 1024;
    private const long MaxWaitMilliseconds = 1000;

    /// <summary>Connections per loop that may batch reads at once: bulk streams are few, and the loop scans this list every turn.</summary>
    private const int MaxBatching = 64;

    private readonly int _index;
    private readonly IOriginalDestinationResolver _resolver;
    private readonly LoopGuard _guard;
    private readonly ListenerSocket[] _listeners;
    private readonly ConcurrentQueue<LoopCommand> _commands = new();
    private readonly PriorityQueue<ILoopTimer, long> _timers = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IUpstreamRouter _router;
    private readonly IHandOffTracker _handOffs;
    private readonly long _connectTimeoutMs;
    private readonly long _idleTimeoutMs;
    private readonly long _sweepIntervalMs;
    private readonly int _wakeFd;
    private readonly Stack<int> _freeSlots = new();
    private Connection?[] _slots = new Connection?[64];
    private int _slotCount;
    private uint _nextGeneration = 1;
    private List<Connection> _runnable = new(16);
    private List<Connection> _running = new(16);
    private readonly List<Connection> _batching = new(MaxBatching);
    private long _batchesStarted;
    private Thread? _thread;
    private long _nextSweepMs;
    private bool _listenersClosed;
    private bool _stopping;
    private long _active;
    private long _allocatedBytes;

    public EventLoop(int index, ProxyOptions options, IProxyEvents events, IOriginalDestinationResolver resolver, LoopGuard guard,
        ConnectRetry retry, ILogger logger, ListenerSocket[] listeners, UpstreamSocketFactory upstreamSockets, IUpstreamRouter router,
        IHandOffTracker handOffs)
    {
        _index = index;
        Options = options;
        Events = events;
        _resolver = resolver;
        _guard = guard;
        Retry = retry;
        Logger = logger;
        _listeners = listeners;
        UpstreamSockets = upstreamSockets;
        _router = router;
        _handOffs = handOffs;
        _connectTimeoutMs = (long)options.ConnectTimeout.TotalMilliseconds;
        _idleTimeoutMs = options.IdleTimeoutMilliseconds;
        // A coarse sweep instead of a timer per connection: resolution is an eighth of the shortest timeout, 5 ms to 1 s.
        // It also reports open connections' bytes to the metrics, which therefore lag by at most one interval.
        long shortest = _idleTimeoutMs > 0 ? Math.Min(_connectTimeoutMs, _idleTimeoutMs) : _connectTimeoutMs;
        _sweepIntervalMs = Math.Clamp(shortest / 8, 5, 1000);
        MaxBatchWaitTicks = (long)(options.ReadBatchMaxWait.TotalSeconds * Stopwatch.Frequency);
        MinBatchWaitTicks = Math.Min(Stopwatch.Frequency / 20_000, MaxBatchWaitTicks); // 50 µs: below that a deadline is all timer
        Pipes = new PipePool(options.PipeSize, options.PipePoolSize, PipePool.BulkLimit(options.PipeSize, options.Workers));
        Scratch = GC.AllocateUninitializedArray<byte>(ScratchSize, pinned: true);
        Epoll = Epoll.Create(MaxEvents);
        SysResult wake = EventFd.Create(nonBlocking: true);
        _wakeFd = wake.IsSuccess ? wake.Value : throw new ProxyStartException($"eventfd failed: {wake.Error}");
        Check(Epoll.Add(_wakeFd, EpollEvents.EPOLLIN, LoopToken.Wake), "epoll_ctl(eventfd)");
        for (int i = 0; i < listeners.Length; i++)
        {
            Check(Epoll.Add(listeners[i].Fd, EpollEvents.EPOLLIN, LoopToken.Listener(i)), "epoll_ctl(listener)");
        }

        InitializeAcceptReserve();
    }

    public ProxyOptions Options { get; }

    public IProxyEvents Events { get; }

    public ILogger Logger { get; }

    /// <summary>Whether and when a failed upstream connect is tried again.</summary>
    public ConnectRetry Retry { get; }

    /// <summary>Creates upstream sockets with the source binding the capture rules expect.</summary>
    public UpstreamSocketFactory UpstreamSockets { get; }

    public Epoll Epoll { get; }

    public PipePool Pipes { get; }

    /// <summary>The copy path's buffer: one per loop, pinned, never handed out beyond one recv/send pair.</summary>
    public byte[] Scratch { get; }

    /// <summary>Milliseconds (Environment.TickCount64) sampled once per wake-up.</summary>
    public long NowMs { get; private set; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> sampled once per wake-up: read batching's clock.</summary>
    public long NowTicks { get; private set; }

    /// <summary>Shortest and longest time a batching direction's batch may take (Stopwatch ticks).</summary>
    public long MinBatchWaitTicks { get; }

    public long MaxBatchWaitTicks { get; }

    /// <summary>How many times a direction started batching its reads on this loop (for the metrics).</summary>
    public long BatchesStarted => Interlocked.Read(ref _batchesStarted);

    public long ActiveConnections => Interlocked.Read(ref _active);

    /// <summary>
    /// Bytes the loop thread has allocated on the managed heap, as of its last wake-up: per connection it allocates a
    /// few small objects, per byte relayed nothing, which tests check by comparing small and large transfers.
    /// </summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    public Task Completion => _completion.Task;

    public bool IsListening => !_listenersClosed && !_stopping;

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = $"capture-loop-{_index}" };
        _thread.Start();
    }

    /// <summary>Loop thread only: calls <paramref name="timer"/> back once <paramref name="dueTicks"/> (Stopwatch ticks) has passed.</summary>
    public void Schedule(ILoopTimer timer, long dueTicks) => _timers.Enqueue(timer, dueTicks);

    /// <summary>Thread-safe: queues <paramref name="command"/> and wakes the loop.</summary>
    public void Post(LoopCommand command)
    {
        _commands.Enqueue(command);
        EventFd.Signal(_wakeFd); // cannot fail in a way that matters: EAGAIN means already signalled
    }

    public void MarkRunnable(Connection connection)
    {
        if (!connection.InRunnable)
        {
            connection.InRunnable = true;
            _runnable.Add(connection);
        }
    }

    /// <summary>Whether <paramref name="connection"/> may start batching: it already does in its other direction, or there is room.</summary>
    public bool CanStartBatching(Connection connection) => connection.InBatching || _batching.Count < MaxBatching;

    /// <summary>Puts a connection whose direction just started batching on the list the loop keeps deadlines for.</summary>
    public void StartBatching(Connection connection)
    {
        Interlocked.Increment(ref _batchesStarted);
        if (!connection.InBatching)
        {
            connection.InBatching = true;
            _batching.Add(connection);
        }
    }

    /// <summary>Called by a connection as it closes: frees its slot.</summary>
    public void Release(Connection connection)
    {
        _slots[connection.Slot] = null;
        _freeSlots.Push(connection.Slot);
        Interlocked.Decrement(ref _active);
    }

    public void Dispose()
    {
        foreach (ListenerSocket listener in _listeners)
        {
            listener.Dispose();
        }

        Pipes.Dispose();
        Epoll.Dispose();
        Sockets.Close(_wakeFd); // teardown: nothing to do about a failed close
        CloseAcceptReserve();
    }

    private void Run()
    {
        try
        {
            Loop();
            _completion.TrySetResult();
        }
        catch (Exception ex)
        {
            Log.LoopFailed(Logger, _index, ex);
            _completion.TrySetException(ex);
        }
        finally
        {
            AbortAll(ConnectionEndReason.Drained);
        }
    }

    private void Loop()
    {
        NowMs = Environment.TickCount64;
        _nextSweepMs = NowMs + _sweepIntervalMs;
        while (true)
        {
            if (_stopping)
            {
                return;
            }

            SysResult waited = Epoll.WaitMicroseconds(ComputeTimeoutMicroseconds());
            if (!waited.IsSuccess)
            {
                throw new NativeCallException("epoll_wait", waited.Error);
            }

            NowMs = Environment.TickCount64;
            NowTicks = Stopwatch.GetTimestamp();
            for (int i = 0; i < waited.Value; i++)
            {
                Dispatch(Epoll.GetEvent(i));
            }

            RunTimers();
            ExpireBatches();
            RunRunnable();
            if (NowMs >= _nextSweepMs)
            {
                Sweep();
                _nextSweepMs = NowMs + _sweepIntervalMs;
            }

            // A thread-local counter read, cheap next to the epoll_wait each turn makes.
            Interlocked.Exchange(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    private long ComputeTimeoutMicroseconds()
    {
        if (_runnable.Count > 0 || !_commands.IsEmpty)
        {
            return 0;
        }

        long until = Math.Min(_nextSweepMs, _listenersPausedUntilMs);
        long timeout = Math.Clamp(until - Environment.TickCount64, 0, MaxWaitMilliseconds) * 1000;
        if (_timers.TryPeek(out _, out long due))
        {
            timeout = Math.Min(timeout, Math.Max((long)Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due).TotalMicroseconds, 0));
        }

        if (_batching.Count > 0)
        {
            long deadline = long.MaxValue;
            foreach (Connection connection in _batching)
            {
                deadline = Math.Min(deadline, connection.NextBatchDeadline);
            }

            if (deadline != long.MaxValue)
            {
                long left = (long)Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline).TotalMicroseconds;
                timeout = Math.Min(timeout, Math.Max(left, 0));
            }
        }

        return timeout;
    }

    private void RunTimers()
    {
        while (_timers.TryPeek(out ILoopTimer? timer, out long due) && due <= NowTicks)
        {
            _timers.Dequeue();
            timer.OnTimer(due);
        }
    }

    /// <summary>Reads overdue batches (see <see cref="Connection.ExpireBatches"/>) and drops connections that no longer batch.</summary>
    private void ExpireBatches()
    {
        for (int i = _batching.Count - 1; i >= 0; i--)
        {
            Connection connection = _batching[i];
            if (!connection.ExpireBatches(NowTicks))
            {
                connection.InBatching = false;
                _batching[i] = _batching[^1];
                _batching.RemoveAt(_batching.Count - 1);
            }
        }
    }

    private void Dispatch(EpollEvent e)
    {
        ulong token = e.Data;
        switch (LoopToken.Kind(token))
        {
            case LoopToken.KindWake:
                EventFd.Drain(_wakeFd);
                RunCommands();
                break;
            case LoopToken.KindListener:
                int index = LoopToken.Slot(token);
                if (index < _listeners.Length && _listeners[index].IsOpen)
                {
                    AcceptBatch(_listeners[index]);
                }

                break;
            default:
                int slot = LoopToken.Slot(token);
                Connection? connection = slot < _slotCount ? _slots[slot] : null;
                if (connection is not null && connection.Generation == LoopToken.Generation(token))
                {
                    connection.OnSocketEvents(LoopToken.Kind(token) == LoopToken.KindClient, e.Events);
                }

                break;
        }
    }

    private void RunCommands()
    {
        while (_commands.TryDequeue(out LoopCommand command))
        {
            switch (command)
            {
                case LoopCommand.CloseInboundListeners:
                    CloseListeners(TrafficDirection.Inbound);
                    break;
                case LoopCommand.CloseAllListeners:
                    CloseListeners(TrafficDirection.Inbound);
                    CloseListeners(TrafficDirection.Outbound);
                    break;
                case LoopCommand.AbortConnections:
                    AbortAll(ConnectionEndReason.Drained);
                    break;
                case LoopCommand.Stop:
                    _stopping = true;
                    break;
            }
        }
    }

    private void CloseListeners(TrafficDirection direction)
    {
        _listenersClosed = true;
        foreach (ListenerSocket listener in _listeners)
        {
            if (listener.Direction == direction)
            {
                listener.Dispose(); // stop accepting: the kernel resets what waits in the accept queue
            }
        }
    }

    private void RunRunnable()
    {
        if (_runnable.Count == 0)
        {
            return;
        }

        (_running, _runnable) = (_runnable, _running);
        foreach (Connection connection in _running)
        {
            connection.InRunnable = false;
            if (connection.State != ConnectionState.Closed)
            {
                connection.PumpBoth();
            }
        }

        _running.Clear();
    }

    private void Sweep()
    {
        long now = NowMs;
        for (int i = 0; i < _slotCount; i++)
        {
            _slots[i]?.Sweep(now, _connectTimeoutMs, _idleTimeoutMs);
        }

        ResumeListenersIfDue(now);
    }

    private void AbortAll(ConnectionEndReason reason)
    {
        for (int i = 0; i < _slotCount; i++)
        {
            _slots[i]?.Abort(reason);
        }
    }

    private int AllocateSlot()
    {
        if (_freeSlots.TryPop(out int slot))
        {
            return slot;
        }

        if (_slotCount == _slots.Length)
        {
            Array.Resize(ref _slots, _slots.Length * 2);
        }

        return _slotCount++;
    }

    private static void Check(Errno error, string call)
    {
        if (error != Errno.None)
        {
            throw new ProxyStartException($"{call} failed: {error}");
        }
    }

    /// <summary>Racy snapshot of every open connection, for test failure messages only.</summary>
    internal IEnumerable<string> DescribeConnections() => _slots.Take(_slotCount).Where(c => c is not null).Select(c => c!.ToString());

    internal IPEndPoint[] ListenerEndPoints(TrafficDirection direction) =>
        [.. _listeners.Where(l => l.Direction == direction).Select(l => l.EndPoint)];
}
