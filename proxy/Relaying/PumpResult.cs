using Capture.NativeShims;

namespace Capture.Proxy.Relaying;

/// <summary>The outcome of a pump, and the error for a failed side.</summary>
internal readonly record struct PumpResult(PumpOutcome Outcome, Errno Error = Errno.None)
{
    public static readonly PumpResult Continue = new(PumpOutcome.Continue);

    public static readonly PumpResult Idle = new(PumpOutcome.Idle);

    public static readonly PumpResult MoreWork = new(PumpOutcome.MoreWork);

    public static readonly PumpResult Finished = new(PumpOutcome.Finished);

    public static PumpResult SourceFailed(Errno error) => new(PumpOutcome.SourceFailed, error);

    public static PumpResult SinkFailed(Errno error) => new(PumpOutcome.SinkFailed, error);
}
