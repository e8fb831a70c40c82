using System.Threading.Tasks.Sources;

namespace Capture.Proxy.Tunneling.Http2;

/// <summary>
/// An auto-reset event for one waiter at a time, awaited as a <see cref="ValueTask"/> without allocating: a Set with
/// nobody waiting is remembered once, so a waiter re-checks its condition after every wake-up.
/// </summary>
internal sealed class Http2Signal : IValueTaskSource
{
    private readonly object _lock = new();
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private CancellationTokenRegistration _registration;
    private bool _signaled;
    private bool _waiting;

    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_signaled)
            {
                _signaled = false;
                return ValueTask.CompletedTask;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            _core.Reset();
            _waiting = true;
            short version = _core.Version;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((Http2Signal)state!).Cancel(token), this);
            }

            return new ValueTask(this, version);
        }
    }

    public void Set()
    {
        lock (_lock)
        {
            if (_waiting)
            {
                _waiting = false;
                _core.SetResult(true);
            }
            else
            {
                _signaled = true;
            }
        }
    }

    void IValueTaskSource.GetResult(short token)
    {
        CancellationTokenRegistration registration;
        lock (_lock)
        {
            registration = _registration;
            _registration = default;
        }

        // Unregister, not Dispose: Dispose would wait for a running Cancel callback, which may be waiting for _lock.
        registration.Unregister();
        _core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void Cancel(CancellationToken token)
    {
        lock (_lock)
        {
            if (_waiting)
            {
                _waiting = false;
                _core.SetException(new OperationCanceledException(token));
            }
        }
    }
}
