using Capture.NativeShims;
using Capture.Proxy.Reactor;
using Polly;
using Polly.Retry;

namespace Capture.Proxy.Relaying;

/// <summary>
/// Decides, with a Polly retry pipeline, whether and when a failed upstream connect is tried again. It runs only after
/// a first attempt failed transiently, never per byte. Transient: EADDRNOTAVAIL (ephemeral ports or the passthrough
/// source exhausted for the moment), EAGAIN, ENOBUFS/ENOMEM (memory pressure), EMFILE/ENFILE (descriptors free up as
/// connections close). Final: ECONNREFUSED (the destination answered no), ENETUNREACH/EHOSTUNREACH (no route), ETIMEDOUT
/// (the whole connect timeout is already spent), resets: the client should learn those at once, as without a proxy.
/// </summary>
internal sealed class ConnectRetryPolicy
{
    private readonly ResiliencePipeline<Errno> _pipeline;
    private readonly CancellationToken _stopping;

    public ConnectRetryPolicy(int retries, TimeSpan firstDelay, TimeProvider timeProvider, CancellationToken stopping)
    {
        _stopping = stopping;
        Retries = retries;
        ResiliencePipelineBuilder<Errno> builder = new() { TimeProvider = timeProvider };
        if (retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<Errno>
            {
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is null && IsTransient(args.Outcome.Result)),
                MaxRetryAttempts = retries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = firstDelay,
            });
        }

        _pipeline = builder.Build();
    }

    public int Retries { get; }

    public static bool IsTransient(Errno error) => error is Errno.EADDRNOTAVAIL or Errno.EAGAIN or Errno.ENOBUFS or Errno.ENOMEM
        or Errno.EMFILE or Errno.ENFILE;

    /// <summary>Runs the remaining attempts; on final failure posts a give-up to the loop. Never throws.</summary>
    public async Task RunAsync(RetryRun run)
    {
        Errno outcome;
        try
        {
            outcome = await _pipeline.ExecuteAsync(static (r, _) => r.NextAttemptAsync(), run, _stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            outcome = Errno.ECONNABORTED; // the engine is stopping; the loop resets what is left
        }

        if (outcome != Errno.None)
        {
            run.Loop.Post(LoopCommand.GiveUp(run, outcome));
        }
    }
}
