using Capture.NativeShims;
using Capture.Proxy.Relaying;

namespace Capture.Proxy.Reactor;

/// <summary>Work posted to an event loop from another thread (drain, stop, retry attempts).</summary>
internal readonly record struct LoopCommand(LoopCommandKind Kind, RetryRun? Run, Errno Error)
{
    public static LoopCommand Attempt(RetryRun run) => new(LoopCommandKind.Attempt, run, Errno.None);

    public static LoopCommand GiveUp(RetryRun run, Errno error) => new(LoopCommandKind.GiveUp, run, error);

    public static LoopCommand Drain { get; } = new(LoopCommandKind.Drain, null, Errno.None);

    public static LoopCommand Stop { get; } = new(LoopCommandKind.Stop, null, Errno.None);
}

internal enum LoopCommandKind
{
    Attempt,
    GiveUp,
    Drain,
    Stop,
}
