namespace Capture.Proxy.Relaying;

/// <summary>What a pump of one direction (or one step of it) left to do.</summary>
internal enum PumpOutcome
{
    /// <summary>One step moved something: take the next (never returned by <see cref="RelayPump.Pump"/>).</summary>
    Continue,

    /// <summary>Nothing more to do until the sockets report readiness.</summary>
    Idle,

    /// <summary>The step budget ran out with work left: pump again later in the loop's turn.</summary>
    MoreWork,

    /// <summary>Every byte is delivered after the source's FIN: the sink gets ours.</summary>
    Finished,

    /// <summary>Reading the source failed with <see cref="PumpResult.Error"/>.</summary>
    SourceFailed,

    /// <summary>Writing the sink failed with <see cref="PumpResult.Error"/>.</summary>
    SinkFailed,
}
