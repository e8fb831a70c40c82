using Capture.Init.Rules;
using Polly;

namespace Capture.Init.Iptables;

/// <summary>
/// The iptables and ip invocations capture-init makes, over one <see cref="IIptablesRunner"/>: each is a single
/// process, and legacy writes are retried while the xtables lock is busy.
/// </summary>
internal sealed class IptablesCommands
{
    private readonly int _retries;
    private readonly ResiliencePipeline<CommandResult> _lockRetry;

    public IptablesCommands(IIptablesRunner runner, int lockRetries = XtablesLockRetry.DefaultRetries, TimeSpan? lockRetryDelay = null)
    {
        Runner = runner;
        _retries = lockRetries;
        _lockRetry = XtablesLockRetry.Create(lockRetries, lockRetryDelay ?? XtablesLockRetry.DefaultDelay);
    }

    public IIptablesRunner Runner { get; }

    /// <summary>Runs <c>-save</c>; reading takes no lock, so no retry.</summary>
    public Task<CommandResult> SaveAsync(IptablesBackend backend, CancellationToken cancellationToken)
        => Runner.RunAsync(backend.Save, [], null, cancellationToken);

    /// <summary>
    /// Loads <paramref name="payload"/> with <c>-restore --noflush</c>. Returns the result (success or the tool's
    /// error); throws <see cref="CaptureException"/> only when the xtables lock never came free.
    /// </summary>
    public async Task<CommandResult> RestoreAsync(IptablesBackend backend, string payload, CancellationToken cancellationToken)
    {
        if (!backend.UsesXtablesLock)
        {
            // nft has no xtables lock: nothing to retry.
            return await Runner.RunAsync(backend.Restore, backend.RestoreArguments, payload, cancellationToken).ConfigureAwait(false);
        }

        CommandResult result = await RestoreWithLockRetryAsync(backend, payload, cancellationToken).ConfigureAwait(false);
        if (XtablesLockRetry.IsLockContention(result))
        {
            throw new CaptureException(
                $"the xtables lock stayed busy through {_retries + 1} attempts of {backend.Restore} (each waiting {IptablesBackend.LockWaitSeconds} s): " +
                $"another program keeps iptables locked; last error: {result.Describe()}");
        }

        return result;
    }

    private Task<CommandResult> RestoreWithLockRetryAsync(IptablesBackend backend, string payload, CancellationToken cancellationToken)
    {
        return _lockRetry.ExecuteAsync(
            static (state, token) => new ValueTask<CommandResult>(state.Runner.RunAsync(state.backend.Restore, state.backend.RestoreArguments, state.payload, token)),
            (Runner, backend, payload),
            cancellationToken).AsTask();
    }

    /// <summary>
    /// Runs <c>ip [-6] -force -batch -</c> with <paramref name="commands"/> (one per line, without the leading
    /// <c>ip</c>): one process for all of a family's routing changes; <c>-force</c> carries on past a failing line so
    /// the caller can decide which failures are harmless (an existing route).
    /// </summary>
    public Task<CommandResult> IpBatchAsync(IpFamily family, IEnumerable<string> commands, CancellationToken cancellationToken)
    {
        string[] arguments = family == IpFamily.V6 ? ["-6", "-force", "-batch", "-"] : ["-force", "-batch", "-"];
        return Runner.RunAsync("ip", arguments, string.Join('\n', commands) + "\n", cancellationToken);
    }
}
