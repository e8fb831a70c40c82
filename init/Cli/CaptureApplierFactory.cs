using Microsoft.Extensions.Logging;

namespace Capture.Init.Cli;

/// <summary>
/// Where the CLI gets its applier and namespace runner. The applying half (init/Applying, init/Iptables) plugs in here;
/// tests pass their own implementations to the orchestrator instead.
/// </summary>
internal static class CaptureApplierFactory
{
    public static ICaptureApplier CreateApplier(ILoggerFactory loggerFactory) => new Applying.CaptureApplier(loggerFactory);

    public static INetworkNamespaceRunner CreateNamespaceRunner() => new Applying.NetworkNamespaceRunner();

    private sealed class NotWiredApplier : ICaptureApplier
    {
        public Task<ExitCode> RunAsync(Configuration.CaptureOptions options, Rules.RuleSet plan, CancellationToken cancellationToken) =>
            throw new CaptureException("applying rules is not wired yet (use --dry-run to see the plan)");
    }

    private sealed class CurrentNamespaceRunner : INetworkNamespaceRunner
    {
        public T Run<T>(string? namespacePath, Func<T> action) => namespacePath is null
            ? action()
            : throw new CaptureException($"--network-namespace: '{namespacePath}': entering a network namespace is not wired yet");
    }
}
