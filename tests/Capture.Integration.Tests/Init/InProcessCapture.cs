using Capture.Init;
using Capture.Init.Applying;
using Capture.Init.Configuration;
using Capture.Init.Rules;
using Capture.Integration.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Capture.Integration.Tests.Init;

/// <summary>
/// Runs capture-init's applier in the test process against a namespace (through <c>--network-namespace</c>), with a
/// plan built by the real rule builder: the same code path as the CLI minus argument parsing, and a log to assert on.
/// </summary>
internal static class InProcessCapture
{
    /// <summary>
    /// The options the default istio-init arguments bind to (<see cref="CaptureInit.DefaultIstioInitArguments"/>), in
    /// <paramref name="ns"/>, with <paramref name="backend"/> forced when given.
    /// </summary>
    public static CaptureOptions DefaultIstioInit(TestNamespace ns, string? backend = null) => new(
        RuleOptions.Default with
        {
            ProxyPort = 15001,
            InboundCapturePort = 15006,
            ProxyUids = ["1337"],
            ProxyGids = ["1337"],
            InterceptionMode = InterceptionMode.Redirect,
            OutboundAllCidrs = true,
            InboundAllPorts = true,
            LocalExcludePorts = [15090, 15021, 15020],
        },
        RunOptions.Default with { NetworkNamespace = ns.Path, ForceIptablesBinary = backend });

    public static RuleSet Plan(CaptureOptions options) => new CaptureRuleBuilder().Build(options.Rules, HostFacts.None);

    /// <summary>Applies <paramref name="options"/>; returns the exit code and the Information log lines.</summary>
    public static async Task<(ExitCode Code, IReadOnlyList<string> Log)> RunAsync(CaptureOptions options)
    {
        ListLogger logger = new();
        CaptureApplier applier = new(logger, run => new Capture.Init.Iptables.ProcessIptablesRunner(run.NetworkNamespace, new Dictionary<string, string>(), logger), TimeProvider.System);
        ExitCode code = await applier.RunAsync(options, Plan(options), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        return (code, logger.Lines);
    }

    /// <summary>Collects Information-and-above messages.</summary>
    private sealed class ListLogger : ILogger
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines { get { lock (_lines) { return [.. _lines]; } } }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lock (_lines)
                {
                    _lines.Add(formatter(state, exception));
                }
            }
        }
    }
}
