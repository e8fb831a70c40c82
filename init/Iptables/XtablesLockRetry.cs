using Polly;
using Polly.Retry;

namespace Capture.Init.Iptables;

/// <summary>
/// Retries a legacy iptables command that gave up on the xtables lock (another writer, e.g. kube-proxy in a host
/// namespace or a second init step, held <c>/run/xtables.lock</c> for the whole <c>--wait</c>), with exponential backoff.
/// </summary>
internal static class XtablesLockRetry
{
    /// <summary>Attempts after the first. With <see cref="IptablesBackend.LockWaitSeconds"/> per attempt and the
    /// backoff below, a lock held for ~20 s still ends in success; one held longer is reported.</summary>
    public const int DefaultRetries = 6;

    /// <summary>First backoff delay; doubled each attempt (with jitter), so 0.1 s … ~3.2 s.</summary>
    public static readonly TimeSpan DefaultDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>iptables' exit code for resource problems (RESOURCE_PROBLEM in xtables.h), which lock contention uses.</summary>
    public const int ResourceProblemExitCode = 4;

    /// <summary>True when <paramref name="result"/> failed only because the xtables lock was busy.</summary>
    public static bool IsLockContention(CommandResult result)
        => result.ExitCode == ResourceProblemExitCode
           && result.Stderr.Contains("xtables lock", StringComparison.OrdinalIgnoreCase);

    /// <summary>The pipeline: retries lock contention only; every other result comes back as is.</summary>
    public static ResiliencePipeline<CommandResult> Create(int retries, TimeSpan delay)
        => new ResiliencePipelineBuilder<CommandResult>()
            .AddRetry(new RetryStrategyOptions<CommandResult>
            {
                ShouldHandle = static arguments => ValueTask.FromResult(
                    arguments.Outcome.Result is { } result && IsLockContention(result)),
                MaxRetryAttempts = retries,
                Delay = delay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = delay > TimeSpan.Zero,
            })
            .Build();
}
