namespace Capture.Init;

/// <summary>
/// An anticipated failure (bad input, a command exiting non-zero, drift without --reconcile): printed as one clear
/// message, without a stack trace, and the process exits with <see cref="ExitCode"/>.
/// </summary>
internal sealed class CaptureException : Exception
{
    public CaptureException(string message, ExitCode exitCode = ExitCode.Failure)
        : base(message) => ExitCode = exitCode;

    public CaptureException(string message, Exception innerException, ExitCode exitCode = ExitCode.Failure)
        : base(message, innerException) => ExitCode = exitCode;

    public ExitCode ExitCode { get; }
}
