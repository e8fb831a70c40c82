using System.Diagnostics;
using Capture.NativeShims;
using Capture.Proxy.Reactor;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Reactor;

/// <summary>
/// The reactor on its own, with handlers that are neither listeners nor connections: what it dispatches, queues,
/// tracks and aborts is all it knows of them.
/// </summary>
public sealed class EventLoopTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly EventLoop _loop = new(0, sweepIntervalMs: 5, NullLogger.Instance);
    private readonly List<int> _descriptors = [];

    public EventLoopTests() => _loop.Start();

    [Fact]
    public async Task Add_DescriptorBecomesReadable_HandlerGetsItsChannel()
    {
        RecordingHandler handler = new();
        int fd = NewEventFd();

        await OnLoopAsync(() =>
        {
            LoopRegistration registration = _loop.Register(handler);
            _loop.Add(fd, EpollEvents.EPOLLIN, registration, channel: 2).Should().Be(Errno.None);
        });
        EventFd.Signal(fd);
        (int channel, EpollEvents events) = await handler.Events.Reader.ReadAsync().AsTask().WaitAsync(Bound);

        channel.Should().Be(2);
        events.Should().HaveFlag(EpollEvents.EPOLLIN);
    }

    [Fact]
    public async Task MarkRunnable_Twice_RunsOnceAtTheEndOfTheTurn()
    {
        RecordingHandler handler = new();

        await OnLoopAsync(() =>
        {
            LoopRegistration registration = _loop.Register(handler);
            _loop.MarkRunnable(registration);
            _loop.MarkRunnable(registration);
        });
        await WaitUntilAsync(() => handler.Runs >= 1);
        await OnLoopAsync(() => { }); // one more turn: a second run would have happened by now

        handler.Runs.Should().Be(1);
    }

    [Fact]
    public async Task Unregister_SlotReusedBeforeTheTurn_OnlyTheNewHandlerRuns()
    {
        RecordingHandler closed = new();
        RecordingHandler reused = new();
        LoopRegistration first = default;
        LoopRegistration second = default;

        await OnLoopAsync(() =>
        {
            first = _loop.Register(closed);
            _loop.MarkRunnable(first);
            _loop.Unregister(first);
            second = _loop.Register(reused);
            _loop.MarkRunnable(second);
        });
        await WaitUntilAsync(() => reused.Runs >= 1);

        second.Slot.Should().Be(first.Slot, "the freed slot is taken again");
        second.Generation.Should().NotBe(first.Generation);
        closed.Runs.Should().Be(0, "a handler unregistered while queued is skipped");
        reused.Runs.Should().Be(1);
    }

    [Fact]
    public async Task TrackDeadline_DeadlinePasses_LoopWakesAndCallsUntilFalse()
    {
        RecordingHandler handler = new() { Deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 20, DeadlineCallsWanted = 3 };

        await OnLoopAsync(() => _loop.TrackDeadline(_loop.Register(handler)));
        await WaitUntilAsync(() => handler.DeadlineCalls >= 3);
        await Task.Delay(50);

        handler.DeadlineCalls.Should().Be(3, "OnDeadline returning false ends the tracking");
        handler.LastDeadlineCall.Should().BeGreaterThanOrEqualTo(handler.Deadline);
    }

    [Fact]
    public async Task AbortAll_AndStop_AbortEveryHandlerAndEndTheLoop()
    {
        RecordingHandler a = new();
        RecordingHandler b = new();
        await OnLoopAsync(() =>
        {
            _loop.Register(a);
            _loop.Register(b);
        });

        _loop.AbortAll();
        await WaitUntilAsync(() => a.Aborts == 1 && b.Aborts == 1);
        _loop.Stop();
        await _loop.Completion.WaitAsync(Bound);

        a.Aborts.Should().Be(2, "AbortAll, then the loop's way out");
        b.Aborts.Should().Be(2);
    }

    [Fact]
    public async Task Sweep_RunsForEveryHandlerEveryInterval()
    {
        RecordingHandler handler = new();

        await OnLoopAsync(() => _loop.Register(handler));

        await WaitUntilAsync(() => handler.Sweeps >= 3);
    }

    public void Dispose()
    {
        _loop.Stop();
        _loop.Completion.Wait(Bound);
        _loop.Dispose();
        foreach (int fd in _descriptors)
        {
            Sockets.Close(fd);
        }
    }

    private int NewEventFd()
    {
        SysResult created = EventFd.Create(nonBlocking: true);
        created.IsSuccess.Should().BeTrue();
        _descriptors.Add(created.Value);
        return created.Value;
    }

    private async Task OnLoopAsync(Action action)
    {
        TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(new Work(() =>
        {
            action();
            done.SetResult();
        }));
        await done.Task.WaitAsync(Bound);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        Stopwatch elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            elapsed.Elapsed.Should().BeLessThan(Bound, "the loop should have got there");
            await Task.Delay(5);
        }
    }

    private sealed class Work(Action action) : ILoopWork
    {
        public void Run() => action();
    }

    private sealed class RecordingHandler : ILoopHandler
    {
        private int _runs;
        private int _sweeps;
        private int _aborts;
        private int _deadlineCalls;

        public System.Threading.Channels.Channel<(int Channel, EpollEvents Events)> Events { get; } =
            System.Threading.Channels.Channel.CreateUnbounded<(int, EpollEvents)>();

        public int Runs => Volatile.Read(ref _runs);

        public int Sweeps => Volatile.Read(ref _sweeps);

        public int Aborts => Volatile.Read(ref _aborts);

        public int DeadlineCalls => Volatile.Read(ref _deadlineCalls);

        public long Deadline { get; init; } = long.MaxValue;

        public int DeadlineCallsWanted { get; init; }

        public long LastDeadlineCall { get; private set; }

        public long NextDeadline => Deadline;

        public void OnEvents(int channel, EpollEvents events) => Events.Writer.TryWrite((channel, events));

        public void OnRunnable() => Interlocked.Increment(ref _runs);

        public void OnSweep(long nowMs) => Interlocked.Increment(ref _sweeps);

        public void OnAbort() => Interlocked.Increment(ref _aborts);

        public bool OnDeadline(long nowTicks)
        {
            if (nowTicks < Deadline)
            {
                return true; // not due yet: keep tracking
            }

            LastDeadlineCall = nowTicks;
            return Interlocked.Increment(ref _deadlineCalls) < DeadlineCallsWanted;
        }
    }
}
