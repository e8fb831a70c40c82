using System.Diagnostics;
using System.Text;

namespace Capture.Integration.Tests.Infrastructure;

/// <summary>
/// A long-running process started for a test (a server, a client that waits): output is collected as it comes, and
/// <see cref="Dispose"/> kills it if it is still running.
/// </summary>
public sealed class BackgroundProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private int _disposed;
    private bool _exitedAtDispose;

    internal BackgroundProcess(Process process)
    {
        _process = process;
        CommandLine = ProcessRunner.CommandLine(process.StartInfo);
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The command as started, quoted for messages.</summary>
    public string CommandLine { get; }

    /// <summary>The process id (the program itself: <c>ip netns exec</c> execs it in place).</summary>
    public int Id => _process.Id;

    /// <summary>True once the process has ended.</summary>
    public bool HasExited => Volatile.Read(ref _disposed) != 0 ? _exitedAtDispose : _process.HasExited;

    /// <summary>Standard output received so far.</summary>
    public string Stdout { get { lock (_stdout) { return _stdout.ToString(); } } }

    /// <summary>Standard error received so far.</summary>
    public string Stderr { get { lock (_stderr) { return _stderr.ToString(); } } }

    /// <summary>Writes to the process' standard input (it was started with stdin redirected).</summary>
    public StreamWriter StandardInput => _process.StandardInput;

    /// <summary>Waits (bounded) for the process to end and returns how it ended.</summary>
    public async Task<ProcessResult> WaitForExitAsync(TimeSpan timeout)
    {
        using CancellationTokenSource cancellation = new(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"'{CommandLine}' still running after {timeout.TotalSeconds} s; stderr so far: {Stderr}");
        }

        return new ProcessResult(CommandLine, _process.ExitCode, Stdout, Stderr);
    }

    /// <summary>Kills the process (and its children) if still running; safe to call twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill: nothing left to stop.
        }

        _exitedAtDispose = _process.HasExited;
        _process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.AppendLine(line);
        }
    }
}
