namespace Capture.Proxy.Admin;

/// <summary>
/// The readiness state machine: Starting → Ready → Draining → Stopped, never backwards, so a probe that once saw
/// "draining" never sees "ready" again (Kubernetes would send traffic back to a pod that is going away).
/// </summary>
internal sealed class Readiness
{
    private int _state = (int)ReadinessState.Starting;

    public ReadinessState State => (ReadinessState)Volatile.Read(ref _state);

    public bool IsReady => State == ReadinessState.Ready;

    /// <summary>Listeners are bound. Returns false (and changes nothing) when already draining or stopped.</summary>
    public bool MarkReady() => MoveTo(ReadinessState.Ready);

    /// <summary>Stop taking traffic. Returns false when already draining or stopped.</summary>
    public bool MarkDraining() => MoveTo(ReadinessState.Draining);

    public bool MarkStopped() => MoveTo(ReadinessState.Stopped);

    // Forward only: compare-and-swap until the state is at or past the target.
    private bool MoveTo(ReadinessState target)
    {
        while (true)
        {
            int current = Volatile.Read(ref _state);
            if (current >= (int)target)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _state, (int)target, current) == current)
            {
                return true;
            }
        }
    }
}
