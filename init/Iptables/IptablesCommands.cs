using Capture.Init.Rules;
using System.Runtime.CompilerServices;
using Polly;

namespace Capture.Init.Iptables;

/// <summary>
/// The iptables and ip invocations capture-init makes, over one <see cref="IIptablesRunner"/>: each is a single
/// process, and legacy writes are retried while the xtables lock is busy.
/// </summary>
internal sealed class IptablesCommands
{
    private readonly int _retries;
    private readonly TimeSpan _retryDelay;

    // Built on first use, and typed object: a field of a Polly type would load Polly.Core (and what it pulls in) at every
    // start, while only legacy writes (xtables lock) ever need the pipeline.
    private object? _lockRetry;

    public IptablesCommands(IIptablesRunner runner, int lockRetries = XtablesLockRetry.DefaultRetries, TimeSpan? lockRetryDelay = null)
    {
        Runner = runner;
        _retries = lockRetries;
        _retryDelay = lockRetryDelay ?? XtablesLockRetry.DefaultDelay;
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
            // nft has no xtables lock: no retry pipeline on the common path (its generic code over CommandResult is
            // not precompiled, so even building it would cost JIT time at every start).
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Task<CommandResult> RestoreWithLockRetryAsync(IptablesBackend backend, string payload, CancellationToken cancellationToken)
    {
        var pipeline = (ResiliencePipeline<CommandResult>)(_lockRetry ??= XtablesLockRetry.Create(_retries, _retryDelay));
        return pipeline.ExecuteAsync(
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
