namespace Capture.Init.Iptables;

/// <summary>
/// Runs one command (iptables-save, iptables-restore, ip) to completion in the target network namespace. The only
/// seam through which capture-init starts processes, so tests substitute a fake that records invocations.
/// </summary>
internal interface IIptablesRunner
{
    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/>, writing <paramref name="stdin"/> (when not null) to
    /// its standard input. A program that cannot be started yields exit code <see cref="CommandResult.NotFoundExitCode"/>
    /// rather than an exception, so backend detection can move on to the next candidate.
    /// </summary>
    Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, string? stdin, CancellationToken cancellationToken);
}
