namespace Capture.Proxy.Hosting;

/// <summary>capture-proxy's process exit codes.</summary>
internal enum ExitCode
{
    /// <summary>Ran and stopped cleanly: drained after SIGTERM/SIGINT or <c>/quitquitquit</c>, or printed help.</summary>
    Success = 0,

    /// <summary>Bad flags or environment, or a startup failure (port in use, missing capability), each said in one line.</summary>
    Failure = 1,

    /// <summary>A bug: an exception nobody anticipated, logged with its stack trace (EX_SOFTWARE from sysexits.h).</summary>
    Unexpected = 70,
}
