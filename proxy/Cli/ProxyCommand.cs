using System.CommandLine;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Hosting;
using Capture.Proxy.Logging;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Cli;

/// <summary>capture-proxy's one command: bind and validate the options, then run the proxy until told to stop.</summary>
internal static partial class ProxyCommand
{
    public const string Name = "capture-proxy";

    /// <summary>Builds the engine for validated options; the real one in Program, fakes in tests.</summary>
    public delegate IRelayEngine EngineFactory(ProxyOptions options, ConnectionEvents events, ILoggerFactory loggerFactory);

    public static RootCommand Create(Func<ParseResult, CancellationToken, Task<int>> action)
    {
        RootCommand root = new(
            "Transparent sidecar proxy: accepts the connections capture-init's rules redirect to the outbound and " +
            "inbound capture ports, reads each one's original destination, connects there and relays with splice(2). " +
            "Every flag can also be set by its environment variable; a flag given on the command line wins.");
        foreach (Option option in ProxyCliOptions.All)
        {
            root.Options.Add(option);
        }

        root.SetAction(action);
        return root;
    }

    /// <summary>Parses, binds, validates and runs; returns the process exit code. Problems go to <paramref name="stderr"/>, one per line.</summary>
    public static async Task<int> RunAsync(string[] args, Func<string, string?> environment, EngineFactory engineFactory, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        RootCommand root = Create((parseResult, _) => RunProxyAsync(parseResult, environment, engineFactory, stderr));
        ParseResult parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            // Report the command-line errors together with every bad value and validation problem, not one at a time.
            List<string> problems = [.. parseResult.Errors.Select(e => e.Message)];
            (ProxyOptions options, IReadOnlyList<string> bindProblems) = ProxyCliOptions.Bind(parseResult, environment);
            problems.AddRange(bindProblems);
            problems.AddRange(options.Validate());
            return (int)Fail(stderr, problems);
        }

        // ProcessTerminationTimeout = null: System.CommandLine must not handle SIGTERM itself (it would give up after
        // 2 s); ShutdownSignals turns it into a drain of --drain-duration.
        InvocationConfiguration invocation = new() { Output = stdout, Error = stderr, ProcessTerminationTimeout = null };
        return await parseResult.InvokeAsync(invocation, CancellationToken.None).ConfigureAwait(false);
    }

    private static async Task<int> RunProxyAsync(ParseResult parseResult, Func<string, string?> environment, EngineFactory engineFactory, TextWriter stderr)
    {
        (ProxyOptions options, IReadOnlyList<string> bindProblems) = ProxyCliOptions.Bind(parseResult, environment);
        List<string> problems = [.. bindProblems, .. options.Validate()];
        if (problems.Count > 0)
        {
            return (int)Fail(stderr, problems);
        }

        // Before anything opens a descriptor it cannot do without (Kestrel, listeners, lazily loaded assemblies).
        string? limitProblem = DescriptorLimit.Ensure(out ulong raisedFrom, out ulong raisedTo);
        if (limitProblem is not null)
        {
            return (int)Fail(stderr, [limitProblem]);
        }

        LogLevelSwitch levels = new(options.LogLevel);
        using ILoggerFactory loggerFactory = ProxyLogging.Create(options, levels);
        ILogger logger = loggerFactory.CreateLogger(Name);
        if (raisedTo != 0)
        {
            Log.LimitRaised(logger, raisedFrom, raisedTo);
        }

        using ProxyHost host = new(options, (o, e, l) => engineFactory(o, e, l), loggerFactory, levels);
        using ShutdownSignals signals = new(host, logger);
        try
        {
            return (int)await host.RunAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (ProxyStartException ex)
        {
            // One line on stderr and nothing else: the operator's mistake, not a bug, so no stack trace.
            return (int)Fail(stderr, [ex.Message]);
        }
#pragma warning disable CA1031 // the last line of defence: whatever escaped is a bug, logged with its stack trace
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.Unexpected(logger, ex);
            return (int)ExitCode.Unexpected;
        }
    }

    private static ExitCode Fail(TextWriter stderr, IEnumerable<string> problems)
    {
        foreach (string problem in problems)
        {
            stderr.WriteLine($"{Name}: {problem}");
        }

        return ExitCode.Failure;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 511, Level = LogLevel.Critical, EventName = "Unexpected", Message = "Unexpected failure; this is a bug")]
        public static partial void Unexpected(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 512, Level = LogLevel.Information, EventName = "LimitRaised",
            Message = "Raised the open-file limit (RLIMIT_NOFILE) from {From} to the hard limit {To}")]
        public static partial void LimitRaised(ILogger logger, ulong from, ulong to);
    }
}
