namespace Capture.Integration.Tests.Infrastructure;

/// <summary>How a finished process ended: its command line (for messages), exit code and captured output.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Returns this result when the exit code is 0, else throws with the command, code and stderr.</summary>
    public ProcessResult EnsureSuccess()
        => ExitCode == 0 ? this : throw new InvalidOperationException($"'{CommandLine}' exited {ExitCode}: {Stderr.Trim()} {Stdout.Trim()}");

    /// <inheritdoc />
    public override string ToString() => $"'{CommandLine}' exited {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
