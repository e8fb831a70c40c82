using System.Diagnostics;

namespace Capture.Integration.Tests.Infrastructure;

/// <summary>Runs a command to completion with a bound on its duration, capturing stdout and stderr.</summary>
public static class ProcessRunner
{
    /// <summary>Default bound on one command; a hung command fails the test instead of hanging the run.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="file"/> with <paramref name="arguments"/> (no shell) and returns how it ended.</summary>
    /// <param name="file">Executable name (looked up on PATH) or path.</param>
    /// <param name="arguments">Arguments, passed verbatim.</param>
    /// <param name="stdin">Written to standard input, which is then closed; null closes it at once.</param>
    /// <param name="environment">Variables added to (or, with a null value, removed from) the inherited environment.</param>
    /// <param name="timeout">Killed after this long (default <see cref="DefaultTimeout"/>), and a <see cref="TimeoutException"/> thrown.</param>
    public static ProcessResult Run(
        string file,
        IEnumerable<string> arguments,
        string? stdin = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null)
    {
        using Process process = Start(file, arguments, environment, redirectStdin: true);
        string commandLine = CommandLine(process.StartInfo);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? DefaultTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{commandLine}' did not finish within {(timeout ?? DefaultTimeout).TotalSeconds} s");
        }

        return new ProcessResult(commandLine, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    internal static Process Start(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment, bool redirectStdin)
    {
        ProcessStartInfo startInfo = new(file)
        {
            RedirectStandardInput = redirectStdin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach ((string name, string? value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        return Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start '{CommandLine(startInfo)}'");
    }

    internal static string CommandLine(ProcessStartInfo startInfo)
        => string.Join(' ', new[] { startInfo.FileName }.Concat(startInfo.ArgumentList.Select(Quote)));

    private static string Quote(string argument)
        => argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,*@%+".Contains(c, StringComparison.Ordinal))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
