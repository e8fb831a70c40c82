using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Workloads;

/// <summary>
/// The workloads file (<c>--workloads</c>, <c>LOCAL_XDS_PATH</c>) as a live value: read at start (a problem there
/// stops the proxy), then re-read whenever its content changes. A Kubernetes ConfigMap update swaps a symlink
/// (<c>..data</c>) rather than writing the file, which is why the file is re-read by content on a timer instead of
/// watched for writes. A bad new version keeps the last good one and says why; connections already open keep the
/// route they were given.
/// </summary>
internal sealed partial class WorkloadsFile : IDisposable
{
    /// <summary>Defaults to 1 s: a ConfigMap update reaches the pod within a minute anyway; the file is small.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private readonly Lock _reloadLock = new();
    private byte[] _hash;
    private string? _lastError;
    private volatile WorkloadIndex _current;

    private WorkloadsFile(string path, WorkloadIndex index, byte[] hash, ILogger logger, TimeProvider time, TimeSpan pollInterval)
    {
        Path = path;
        _current = index;
        _hash = hash;
        _logger = logger;
        _timer = pollInterval > TimeSpan.Zero
            ? time.CreateTimer(static state => ((WorkloadsFile)state!).Reload(), this, pollInterval, pollInterval)
            : null;
    }

    public string Path { get; }

    /// <summary>The last good version; read it once per connection, it is replaced, never changed.</summary>
    public WorkloadIndex Current => _current;

    /// <summary>Raised (on a timer thread) after a new version replaced <see cref="Current"/>.</summary>
    public event Action<WorkloadIndex>? Changed;

    /// <summary>Reads <paramref name="path"/> and starts watching it; a problem throws <see cref="WorkloadsFileException"/>.</summary>
    public static WorkloadsFile Open(string path, ILogger logger, TimeProvider? time = null, TimeSpan? pollInterval = null)
    {
        (LocalConfig config, byte[] hash) = Read(path);
        WorkloadIndex index = new(config);
        Log.Loaded(logger, path, config.Workloads.Count, config.Services.Count, config.Policies.Count);
        return new WorkloadsFile(path, index, hash, logger, time ?? TimeProvider.System, pollInterval ?? DefaultPollInterval);
    }

    /// <summary>Re-reads the file now if its content changed; what the timer calls.</summary>
    public void Reload()
    {
        lock (_reloadLock)
        {
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // During a ConfigMap swap the old target can vanish for an instant; keep the last good version.
                Reject($"{Path}: cannot read the workloads file: {ex.Message}");
                return;
            }

            byte[] hash = SHA256.HashData(bytes);
            if (hash.AsSpan().SequenceEqual(_hash))
            {
                return;
            }

            LocalConfig config;
            try
            {
                config = LocalConfigParser.Parse(System.Text.Encoding.UTF8.GetString(bytes), Path);
            }
            catch (WorkloadsFileException ex)
            {
                Reject(ex.Message);
                return;
            }

            WorkloadIndex index = new(config);
            _hash = hash;
            _lastError = null;
            _current = index;
            Log.Reloaded(_logger, Path, config.Workloads.Count, config.Services.Count, config.Policies.Count);
            Changed?.Invoke(index);
        }
    }

    public void Dispose() => _timer?.Dispose();

    private void Reject(string error)
    {
        // Said once per distinct problem, not once per poll.
        if (error != _lastError)
        {
            _lastError = error;
            Log.Rejected(_logger, error);
        }
    }

    private static (LocalConfig Config, byte[] Hash) Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new WorkloadsFileException($"{path}: cannot read the workloads file: {ex.Message}", ex);
        }

        return (LocalConfigParser.Parse(System.Text.Encoding.UTF8.GetString(bytes), path), SHA256.HashData(bytes));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 801, Level = LogLevel.Information, EventName = "WorkloadsLoaded",
            Message = "Workloads file {Path}: {Workloads} workloads, {Services} services, {Policies} policies")]
        public static partial void Loaded(ILogger logger, string path, int workloads, int services, int policies);

        [LoggerMessage(EventId = 802, Level = LogLevel.Information, EventName = "WorkloadsReloaded",
            Message = "Workloads file {Path} changed: now {Workloads} workloads, {Services} services, {Policies} policies; new connections follow it")]
        public static partial void Reloaded(ILogger logger, string path, int workloads, int services, int policies);

        [LoggerMessage(EventId = 803, Level = LogLevel.Warning, EventName = "WorkloadsRejected",
            Message = "Keeping the last good workloads file: {Error}")]
        public static partial void Rejected(ILogger logger, string error);
    }
}
