using Capture.NativeShims;

namespace Capture.Proxy.Reactor;

/// <summary>
/// Something registered on an event loop (see <see cref="EventLoop.Register"/>): a listener, a connection. The loop
/// calls it on its own thread only; it knows nothing else about it.
/// </summary>
internal interface ILoopHandler
{
    /// <summary>A descriptor added under <paramref name="channel"/> (0 to <see cref="LoopToken.MaxChannel"/>) reported <paramref name="events"/>.</summary>
    void OnEvents(int channel, EpollEvents events);

    /// <summary>Queued with <see cref="EventLoop.MarkRunnable"/>: runs once at the end of the loop's turn.</summary>
    void OnRunnable();

    /// <summary>The loop's periodic sweep (timeouts, reports); <paramref name="nowMs"/> is <see cref="EventLoop.NowMs"/>.</summary>
    void OnSweep(long nowMs);

    /// <summary>The loop drops what it serves: the drain period ran out, or the loop is stopping.</summary>
    void OnAbort();

    /// <summary>
    /// For a handler tracked with <see cref="EventLoop.TrackDeadline"/>: its earliest deadline (Stopwatch ticks), or
    /// <see cref="long.MaxValue"/> for none. The loop wakes by then.
    /// </summary>
    long NextDeadline { get; }

    /// <summary>For a tracked handler, every turn: handle what is due at <paramref name="nowTicks"/>; false stops the tracking.</summary>
    bool OnDeadline(long nowTicks);
}
