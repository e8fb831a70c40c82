using Capture.Proxy.Contracts;
using Capture.Proxy.Hosting;

namespace Capture.Proxy.Tests.Hosting;

/// <summary>
/// Stands in for the relay engine: Start can be held until a test releases it, connections are a number the test sets
/// (and that drops to zero when the run is cancelled, as the real engine closes them), and every call is recorded.
/// </summary>
internal sealed class FakeRelayEngine : IRelayEngine
{
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _active;

    public ManualResetEventSlim StartGate { get; } = new(initialState: true);

    public Exception? StartFailure { get; init; }

    public Exception? RunFailure { get; set; }

    public int StartCalls { get; private set; }

    public int DrainCalls { get; private set; }

    /// <summary>The scope of every drain asked for, in order.</summary>
    public List<DrainScope> DrainScopes { get; } = [];

    /// <summary>How long <see cref="DrainAsync"/> takes, as the real engine's drain duration.</summary>
    public TimeSpan DrainDuration { get; set; } = TimeSpan.FromSeconds(5);

    public bool Disposed { get; private set; }

    public bool RunCancelled => _stopped.Task.IsCompleted;

    public long ActiveConnections
    {
        get => Volatile.Read(ref _active);
        set => Volatile.Write(ref _active, value);
    }

    public void Start()
    {
        StartCalls++;
        StartGate.Wait(TimeSpan.FromSeconds(10));
        if (StartFailure is not null)
        {
            throw StartFailure;
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (RunFailure is not null)
        {
            await Task.Yield();
            throw RunFailure;
        }

        await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        ActiveConnections = 0;
        _stopped.TrySetResult();
    }

    public void BeginDrain(DrainScope scope)
    {
        DrainCalls++;
        lock (DrainScopes)
        {
            DrainScopes.Add(scope);
        }
    }

    public async Task DrainAsync(DrainScope scope, CancellationToken cancellationToken)
    {
        BeginDrain(scope);
        await Task.Delay(DrainDuration, cancellationToken);
    }

    public EngineSnapshot Snapshot() => new(ActiveConnections, PipesPooled: 3, PipesLeased: 1, Listening: true);

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        StartGate.Dispose();
        return ValueTask.CompletedTask;
    }
}
