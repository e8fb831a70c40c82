using System.ComponentModel;
using System.Diagnostics;
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

    public async Task<CommandResult> RunAsync(string file, IReadOnlyList<string> arguments, string? stdin, CancellationToken cancellationToken)
    {
        string commandLine = CommandResult.Format(file, arguments);
        ProcessStartInfo startInfo = new(file)
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

        foreach ((string name, string value) in _environment)
        {
            startInfo.Environment[name] = value;
        }

        long started = Stopwatch.GetTimestamp();
        Process process;
        try
        {
            process = NetworkNamespace.Run(_networkNamespace, () => Process.Start(startInfo)!);
        }
        catch (Win32Exception exception)
        {
            // ENOENT/EACCES from exec: this backend is not installed here; detection tries the next one.
            return new CommandResult(commandLine, CommandResult.NotFoundExitCode, string.Empty, $"{file}: {exception.Message}");
        }

        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            try
            {
                if (stdin is not null)
                {
                    await process.StandardInput.WriteAsync(stdin.AsMemory(), cancellationToken).ConfigureAwait(false);
                    process.StandardInput.Close();
                }

                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException) when (process.HasExited)
            {
                // EPIPE writing stdin: the program exited before reading it all; its exit code and stderr say why.
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            CommandResult result = new(commandLine, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Log.CommandFinished(_logger, commandLine, result.ExitCode, elapsed);
            }

            return result;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 401, Level = LogLevel.Debug, EventName = "CommandFinished", SkipEnabledCheck = true,
            Message = "{CommandLine} exited {ExitCode} after {ElapsedMilliseconds:F1} ms")]
        public static partial void CommandFinished(ILogger logger, string commandLine, int exitCode, double elapsedMilliseconds);
    }
}
