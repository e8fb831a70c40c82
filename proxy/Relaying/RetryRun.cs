using Capture.NativeShims;
using Capture.Proxy.Reactor;

namespace Capture.Proxy.Relaying;

/// <summary>
/// A connection's retry sequence, driven by the Polly pipeline off the loop thread. Each attempt is posted to the
/// connection's event loop (which owns the descriptors) and completes when the loop knows the outcome.
/// </summary>
internal sealed class RetryRun(EventLoop loop, Connection connection, Errno initialFailure)
{
    private bool _first = true;
    private volatile TaskCompletionSource<Errno>? _pending;

    public EventLoop Loop { get; } = loop;

    public Connection Connection { get; } = connection;

    public uint Generation { get; } = connection.Generation;

    /// <summary>Polly's callback: the first call reports the failure that started the run; later calls make a real attempt.</summary>
    public ValueTask<Errno> NextAttemptAsync()
    {
        if (_first)
        {
            _first = false;
            return new ValueTask<Errno>(initialFailure);
        }

        TaskCompletionSource<Errno> pending = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending = pending;
        Loop.Post(LoopCommand.Attempt(this));
        return new ValueTask<Errno>(pending.Task);
    }

    /// <summary>Called on the loop thread (or anywhere, on shutdown) with the outcome of the posted attempt.</summary>
    public void Complete(Errno outcome) => _pending?.TrySetResult(outcome);
}
