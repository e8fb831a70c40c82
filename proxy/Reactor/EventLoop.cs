using System.Collections.Concurrent;
using System.Diagnostics;
using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Reactor;

/// <summary>
/// One event loop: a dedicated thread and its own epoll. It waits, dispatches each event to the handler registered for
/// it (<see cref="ILoopHandler"/>), runs timers, queued handlers and a periodic sweep, and knows nothing about what
/// its handlers are. Other threads talk to it only through <see cref="Post"/>, <see cref="AbortAll"/> and <see cref="Stop"/>.
/// </summary>
internal sealed partial class EventLoop : IDisposable
{
    private const int MaxEvents = 256;
    private const long MaxWaitMilliseconds = 1000;

    /// <summary>Handlers per loop that may have deadlines tracked at once: the loop scans this list every turn.</summary>
    private const int MaxTracked = 64;

    private static readonly ILoopWork s_stop = new StopWork();

    private readonly int _index;
    private readonly ILogger _logger;
    private readonly long _sweepIntervalMs;
    private readonly ConcurrentQueue<ILoopWork> _work = new();
    private readonly PriorityQueue<ILoopTimer, long> _timers = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILoopWork _abortAll;
    private readonly int _wakeFd;
    private readonly Stack<int> _freeSlots = new();
    private ILoopHandler?[] _handlers = new ILoopHandler?[64];
    private uint[] _generations = new uint[64];
    private bool[] _queued = new bool[64];
    private bool[] _tracked = new bool[64];
    private int _slotCount;
    private uint _nextGeneration = 1;
    private List<LoopRegistration> _runnable = new(16);
    private List<LoopRegistration> _running = new(16);
    private readonly List<LoopRegistration> _tracking = new(MaxTracked);
    private Thread? _thread;
    private long _nextSweepMs;
    private bool _stopping;
    private long _allocatedBytes;

    /// <param name="index">Names the loop's thread and its log lines.</param>
    /// <param name="sweepIntervalMs">How often <see cref="ILoopHandler.OnSweep"/> runs for every handler.</param>
    /// <param name="logger">Where the loop's failure is logged.</param>
    public EventLoop(int index, long sweepIntervalMs, ILogger logger)
    {
        _index = index;
        _sweepIntervalMs = sweepIntervalMs;
        _logger = logger;
        _abortAll = new AbortAllWork(this);
        Epoll = Epoll.Create(MaxEvents);
        SysResult wake = EventFd.Create(nonBlocking: true);
        _wakeFd = wake.IsSuccess ? wake.Value : throw new ProxyStartException($"eventfd failed: {wake.Error}");
        Errno added = Epoll.Add(_wakeFd, EpollEvents.EPOLLIN, LoopToken.Wake);
        if (added != Errno.None)
        {
            throw new ProxyStartException($"epoll_ctl(eventfd) failed: {added}");
        }
    }

    public Epoll Epoll { get; }

    /// <summary>Milliseconds (Environment.TickCount64) sampled once per wake-up.</summary>
    public long NowMs { get; private set; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> sampled once per wake-up.</summary>
    public long NowTicks { get; private set; }

    /// <summary>
    /// Bytes the loop thread has allocated on the managed heap, as of its last wake-up: per connection it allocates a
    /// few small objects, per byte relayed nothing, which tests check by comparing small and large transfers.
    /// </summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    public Task Completion => _completion.Task;

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = $"capture-loop-{_index}" };
        _thread.Start();
    }

    /// <summary>Thread-safe: queues <paramref name="work"/> and wakes the loop.</summary>
    public void Post(ILoopWork work)
    {
        _work.Enqueue(work);
        EventFd.Signal(_wakeFd); // cannot fail in a way that matters: EAGAIN means already signalled
    }

    /// <summary>Thread-safe: every registered handler's <see cref="ILoopHandler.OnAbort"/> runs; the loop keeps running.</summary>
    public void AbortAll() => Post(_abortAll);

    /// <summary>Thread-safe: the loop ends; on its way out every handler is aborted.</summary>
    public void Stop() => Post(s_stop);

    /// <summary>Loop thread only: calls <paramref name="timer"/> back once <paramref name="dueTicks"/> (Stopwatch ticks) has passed.</summary>
    public void Schedule(ILoopTimer timer, long dueTicks) => _timers.Enqueue(timer, dueTicks);

    /// <summary>Loop thread only: gives <paramref name="handler"/> a slot; its descriptors are added with <see cref="Add"/>.</summary>
    public LoopRegistration Register(ILoopHandler handler)
    {
        int slot;
        if (!_freeSlots.TryPop(out slot))
        {
            if (_slotCount == _handlers.Length)
            {
                int size = _handlers.Length * 2;
                Array.Resize(ref _handlers, size);
                Array.Resize(ref _generations, size);
                Array.Resize(ref _queued, size);
                Array.Resize(ref _tracked, size);
            }

            slot = _slotCount++;
        }

        uint generation = _nextGeneration++;
        if (generation == 0)
        {
            generation = _nextGeneration++; // 0 never names a live handler
        }

        _handlers[slot] = handler;
        _generations[slot] = generation;
        return new LoopRegistration(slot, generation);
    }

    /// <summary>Loop thread only: frees the slot. The handler closes its own descriptors (close(2) removes them from epoll).</summary>
    public void Unregister(LoopRegistration registration)
    {
        if (!IsLive(registration))
        {
            return;
        }

        int slot = registration.Slot;
        _handlers[slot] = null;
        _generations[slot] = 0;
        _queued[slot] = false;
        _tracked[slot] = false;
        _freeSlots.Push(slot);
    }

    /// <summary>Adds <paramref name="fd"/> to the loop's epoll: its events go to the registered handler with <paramref name="channel"/>.</summary>
    public Errno Add(int fd, EpollEvents events, LoopRegistration registration, int channel) =>
        Epoll.Add(fd, events, LoopToken.For(registration, channel));

    public Errno Modify(int fd, EpollEvents events, LoopRegistration registration, int channel) =>
        Epoll.Modify(fd, events, LoopToken.For(registration, channel));

    /// <summary>Loop thread only: <see cref="ILoopHandler.OnRunnable"/> runs once at the end of this turn (or the next).</summary>
    public void MarkRunnable(LoopRegistration registration)
    {
        if (IsLive(registration) && !_queued[registration.Slot])
        {
            _queued[registration.Slot] = true;
            _runnable.Add(registration);
        }
    }

    /// <summary>Whether <see cref="TrackDeadline"/> would take <paramref name="registration"/>: it is tracked already, or there is room.</summary>
    public bool CanTrackDeadline(LoopRegistration registration) =>
        (IsLive(registration) && _tracked[registration.Slot]) || _tracking.Count < MaxTracked;

    /// <summary>
    /// Loop thread only: from now on the loop wakes by the handler's <see cref="ILoopHandler.NextDeadline"/> and calls
    /// <see cref="ILoopHandler.OnDeadline"/> every turn, until that returns false or the handler is unregistered.
    /// </summary>
    public void TrackDeadline(LoopRegistration registration)
    {
        if (IsLive(registration) && !_tracked[registration.Slot] && _tracking.Count < MaxTracked)
        {
            _tracked[registration.Slot] = true;
            _tracking.Add(registration);
        }
    }

    public void Dispose()
    {
        Epoll.Dispose();
        Sockets.Close(_wakeFd); // teardown: nothing to do about a failed close
    }

    private bool IsLive(LoopRegistration registration) =>
        registration.Generation != 0 && (uint)registration.Slot < (uint)_slotCount && _generations[registration.Slot] == registration.Generation;

    private void Run()
    {
        try
        {
            Loop();
            _completion.TrySetResult();
        }
        catch (Exception ex)
        {
            Log.LoopFailed(_logger, _index, ex);
            _completion.TrySetException(ex);
        }
        finally
        {
            AbortHandlers();
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
            RunDeadlines();
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
        if (_runnable.Count > 0 || !_work.IsEmpty)
        {
            return 0;
        }

        long timeout = Math.Clamp(_nextSweepMs - Environment.TickCount64, 0, MaxWaitMilliseconds) * 1000;
        long deadline = long.MaxValue;
        if (_timers.TryPeek(out _, out long due))
        {
            deadline = due;
        }

        foreach (LoopRegistration registration in _tracking)
        {
            if (IsLive(registration))
            {
                deadline = Math.Min(deadline, _handlers[registration.Slot]!.NextDeadline);
            }
        }

        if (deadline != long.MaxValue)
        {
            long left = (long)Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline).TotalMicroseconds;
            timeout = Math.Min(timeout, Math.Max(left, 0));
        }

        return timeout;
    }

    private void Dispatch(EpollEvent e)
    {
        ulong token = e.Data;
        int kind = LoopToken.Kind(token);
        if (kind == LoopToken.KindWake)
        {
            EventFd.Drain(_wakeFd);
            RunWork();
            return;
        }

        int slot = LoopToken.Slot(token);
        if (slot < _slotCount && _generations[slot] == LoopToken.Generation(token))
        {
            _handlers[slot]!.OnEvents(kind, e.Events);
        }
    }

    private void RunWork()
    {
        while (_work.TryDequeue(out ILoopWork? work))
        {
            if (ReferenceEquals(work, s_stop))
            {
                _stopping = true;
                continue;
            }

            work.Run();
        }
    }

    private void RunTimers()
    {
        while (_timers.TryPeek(out ILoopTimer? timer, out long due) && due <= NowTicks)
        {
            _timers.Dequeue();
            timer.OnTimer(due);
        }
    }

    /// <summary>Calls every tracked handler's <see cref="ILoopHandler.OnDeadline"/> and drops those that no longer need it.</summary>
    private void RunDeadlines()
    {
        for (int i = _tracking.Count - 1; i >= 0; i--)
        {
            LoopRegistration registration = _tracking[i];
            bool live = IsLive(registration);
            if (!live || !_handlers[registration.Slot]!.OnDeadline(NowTicks))
            {
                if (live)
                {
                    _tracked[registration.Slot] = false;
                }

                _tracking[i] = _tracking[^1];
                _tracking.RemoveAt(_tracking.Count - 1);
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
        foreach (LoopRegistration registration in _running)
        {
            // A handler unregistered since it was queued (closed) is skipped; its slot may already serve another.
            if (IsLive(registration))
            {
                _queued[registration.Slot] = false;
                _handlers[registration.Slot]!.OnRunnable();
            }
        }

        _running.Clear();
    }

    private void Sweep()
    {
        long now = NowMs;
        for (int i = 0; i < _slotCount; i++)
        {
            _handlers[i]?.OnSweep(now);
        }
    }

    private void AbortHandlers()
    {
        for (int i = 0; i < _slotCount; i++)
        {
            _handlers[i]?.OnAbort();
        }
    }

    /// <summary>Racy snapshot of every registered handler, for test failure messages only.</summary>
    internal IEnumerable<string> DescribeHandlers()
    {
        for (int i = 0; i < _slotCount; i++)
        {
            if (_handlers[i] is { } handler)
            {
                yield return handler.ToString() ?? "";
            }
        }
    }

    private sealed class StopWork : ILoopWork
    {
        // Never run: RunWork recognises it and ends the loop. An object so that stopping shares the one queue.
        public void Run()
        {
        }
    }

    private sealed class AbortAllWork(EventLoop loop) : ILoopWork
    {
        public void Run() => loop.AbortHandlers();
    }
}
