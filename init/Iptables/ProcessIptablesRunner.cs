using System.ComponentModel;
using System.Diagnostics;
using System.IO.Pipes;
using System.Text;
using Capture.NativeShims;
using Capture.NativeShims.Namespaces;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Iptables;

/// <summary>
/// Starts real processes. With a namespace path, each process is started from a thread moved into that network
/// namespace (<see cref="NetworkNamespace.Run{T}"/>): the runtime forks on the calling thread, so the child inherits
/// the namespace and no <c>nsenter</c> or <c>ip netns exec</c> process is spent on getting there.
/// </summary>
internal sealed partial class ProcessIptablesRunner : IIptablesRunner
{
    private readonly string? _networkNamespace;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly ILogger _logger;

    /// <param name="networkNamespace">Namespace path (<c>--network-namespace</c>); null runs in the current one.</param>
    /// <param name="environment">Variables set for every child (e.g. <c>XTABLES_LOCKFILE</c>).</param>
    /// <param name="logger">Each command is logged at Debug with its duration and exit code.</param>
    public ProcessIptablesRunner(string? networkNamespace, IReadOnlyDictionary<string, string> environment, ILogger logger)
    {
        _networkNamespace = networkNamespace;
        _environment = environment;
        _logger = logger;
    }

    /// <remarks>
    /// Completes synchronously (the returned task is already done): callers awaiting it never suspend, so none of the
    /// async machinery that ReadyToRun leaves to the JIT runs on capture-init's path. Cancellation kills the child.
    /// </remarks>
    public Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, string? stdin, CancellationToken cancellationToken)
    {
        string commandLine = CommandResult.Format(file, arguments);
        // A full path: Process.Start's own PATH search is slow the first time (see ExecutablePath); if the program is
        // not found, the bare name lets Process.Start fail as it always has (NotFoundExitCode below).
        ProcessStartInfo startInfo = new(ExecutablePath.Find(file, Environment.GetEnvironmentVariable("PATH")) ?? file)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // Touching startInfo.Environment copies the whole environment block: only when there is something to add.
        if (_environment.Count > 0)
        {
            foreach ((string name, string value) in _environment)
            {
                startInfo.Environment[name] = value;
            }
        }

        long started = Stopwatch.GetTimestamp();
        Process process;
        try
        {
            process = NetworkNamespace.Run(_networkNamespace, () => Process.Start(startInfo)!);
        }
        catch (Win32Exception exception)
        {
            // ENOENT/EACCES from exec: this backend is not installed here; detection tries the next one. The message
            // is the C library's sentence: the exception's own text is a resource key in a UseSystemResourceKeys build.
            string reason = FileDescriptors.Describe((Errno)exception.NativeErrorCode);
            return Task.FromResult(new CommandResult(commandLine, CommandResult.NotFoundExitCode, string.Empty, $"{file}: cannot run it: {reason} (not installed, or not on PATH)"));
        }
        catch (IOException exception) when (_networkNamespace is not null)
        {
            // The namespace is missing, not a namespace, or not ours to enter: one line, as for any bad flag value.
            throw new CaptureException($"--network-namespace: '{_networkNamespace}': {exception.Message}", exception);
        }

        using (process)
        using (cancellationToken.Register(static state => Kill((Process)state!), process))
        {
            // Raw read(2)/write(2) on the pipes, stderr on a thread of its own: .NET's PipeStream on Linux wraps even a
            // blocking pipe in a Socket (loading System.Net.Sockets, its telemetry and the thread pool), which costs a
            // tool that lives for milliseconds more than the child it waits for. The output is small; nothing here scales.
            int stdoutFd = DescriptorOf(process.StandardOutput.BaseStream);
            int stderrFd = DescriptorOf(process.StandardError.BaseStream);
            byte[] stderrBytes = [];
            SysResult stderrRead = default;
            Thread errorReader = new(() => stderrRead = FileDescriptors.ReadToEnd(stderrFd, out stderrBytes)) { IsBackground = true, Name = "stderr " + file };
            errorReader.Start();
            Errno written = Errno.None;
            if (stdin is not null)
            {
                using Stream input = process.StandardInput.BaseStream;
                written = FileDescriptors.WriteAll(DescriptorOf(input), Encoding.UTF8.GetBytes(stdin));
            }

            SysResult stdoutRead = FileDescriptors.ReadToEnd(stdoutFd, out byte[] stdoutBytes);
            errorReader.Join();
            process.WaitForExit();
            cancellationToken.ThrowIfCancellationRequested();

            // A short read would hand a truncated state to the parser (-save) and a truncated reason to the user: fail.
            // EPIPE on stdin is not a failure of ours: the program exited before reading it all, and its exit code and
            // stderr say why; any other write error leaves a payload without its COMMIT, which the program refuses.
            if (!stdoutRead.IsSuccess || !stderrRead.IsSuccess)
            {
                Errno error = stdoutRead.IsSuccess ? stderrRead.Error : stdoutRead.Error;
                throw new CaptureException($"{commandLine}: reading its output failed: {error}");
            }

            if (written is not Errno.None and not Errno.EPIPE)
            {
                throw new CaptureException($"{commandLine}: writing its input failed: {written} (exit code {process.ExitCode})");
            }
            string stdout = Encoding.UTF8.GetString(stdoutBytes);
            string stderr = Encoding.UTF8.GetString(stderrBytes);

            CommandResult result = new(commandLine, process.ExitCode, stdout, stderr);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Log.CommandFinished(_logger, commandLine, result.ExitCode, elapsed);
            }

            return Task.FromResult(result);
        }
    }

    private static int DescriptorOf(Stream stream) => (int)((PipeStream)stream).SafePipeHandle.DangerousGetHandle();

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 401, Level = LogLevel.Debug, EventName = "CommandFinished", SkipEnabledCheck = true,
            Message = "{CommandLine} exited {ExitCode} after {ElapsedMilliseconds:F1} ms")]
        public static partial void CommandFinished(ILogger logger, string commandLine, int exitCode, double elapsedMilliseconds);
    }
}
