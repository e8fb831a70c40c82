namespace Capture.Proxy.Reactor;

/// <summary>Something the event loop calls back on its own thread once a due time has passed (see <see cref="EventLoop.Schedule"/>).</summary>
internal interface ILoopTimer
{
    /// <summary>
    /// The due time <paramref name="dueTicks"/> (Stopwatch ticks) has passed. Timers are never cancelled: a target
    /// that no longer waits for this one (closed, or rescheduled) ignores it.
    /// </summary>
    void OnTimer(long dueTicks);
}
