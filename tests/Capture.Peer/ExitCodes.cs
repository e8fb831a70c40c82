namespace Capture.Peer;

/// <summary>capture-peer's exit codes: scripts tell a failed measurement from a mistyped command.</summary>
internal static class ExitCodes
{
    /// <summary>The verb did what it was asked (servers: stopped by a signal or --duration).</summary>
    public const int Success = 0;

    /// <summary>The network did not behave: connection refused, timeout, short reply, non-2xx status, errors during a run.</summary>
    public const int Failure = 1;

    /// <summary>A bad command line.</summary>
    public const int Usage = 2;
}
