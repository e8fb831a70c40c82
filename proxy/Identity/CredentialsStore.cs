using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Identity;

/// <summary>
/// The proxy's credentials (<c>--certs</c>, <c>OUTPUT_CERTS</c>) as a live value. The directory is re-read by
/// content on a timer: pilot-agent rewrites the files at about half the certificate's life (12 h of 24 h by default).
/// A new, complete and valid set replaces <see cref="Current"/> for new handshakes; connections keep the set they
/// started with. A bad set (a half-written rotation, a key that does not match) keeps the last good one and says why.
/// </summary>
internal sealed partial class CredentialsStore : IDisposable
{
    /// <summary>Defaults to 5 s: rotation is not urgent, and three small files are cheap to re-read.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ITimer? _timer;
    private readonly Lock _reloadLock = new();
    private byte[] _hash = [];
    private volatile WorkloadCredentials? _current;

    /// <summary>Reads the directory once (see <see cref="Current"/> and <see cref="Problem"/>) and starts watching it.</summary>
    public CredentialsStore(string directory, ILogger logger, TimeProvider? time = null, TimeSpan? pollInterval = null)
    {
        Directory = directory;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        if (ChainBuildEnvironment.EnsureHome())
        {
            Log.HomeSet(_logger);
        }

        Reload();
        TimeSpan interval = pollInterval ?? DefaultPollInterval;
        _timer = interval > TimeSpan.Zero ? _time.CreateTimer(static state => ((CredentialsStore)state!).Reload(), this, interval, interval) : null;
    }

    public string Directory { get; }

    /// <summary>The last good credentials; null while none could be loaded.</summary>
    public WorkloadCredentials? Current => _current;

    /// <summary>Why the last read was refused; null when the files on disk are the ones in use.</summary>
    public string? Problem { get; private set; }

    /// <summary>Raised after new credentials replaced <see cref="Current"/>.</summary>
    public event Action<WorkloadCredentials>? Changed;

    /// <summary>Re-reads the files now if any changed; what the timer calls.</summary>
    public void Reload()
    {
        lock (_reloadLock)
        {
            byte[] hash;
            try
            {
                hash = HashFiles();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                hash = []; // let the loader say which file and why
            }

            if (hash.Length > 0 && hash.AsSpan().SequenceEqual(_hash))
            {
                return;
            }

            WorkloadCredentials credentials;
            try
            {
                credentials = CredentialsLoader.Load(Directory, _time.GetUtcNow());
            }
            catch (CertificateException ex)
            {
                if (ex.Message != Problem)
                {
                    Problem = ex.Message;
                    if (_current is null)
                    {
                        Log.Unusable(_logger, ex.Message);
                    }
                    else
                    {
                        Log.Rejected(_logger, _current, ex.Message);
                    }
                }

                return;
            }

            _hash = hash;
            Problem = null;
            WorkloadCredentials? previous = _current;
            _current = credentials;
            if (previous is null)
            {
                Log.Loaded(_logger, Directory, credentials);
            }
            else
            {
                Log.Rotated(_logger, Directory, credentials, previous);
            }

            Changed?.Invoke(credentials);
        }
    }

    public void Dispose() => _timer?.Dispose();

    private byte[] HashFiles()
    {
        using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string name in (ReadOnlySpan<string>)[CredentialsLoader.ChainFile, CredentialsLoader.KeyFile, CredentialsLoader.RootFile])
        {
            hash.AppendData(File.ReadAllBytes(Path.Combine(Directory, name)));
            hash.AppendData([0]);
        }

        return hash.GetHashAndReset();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 821, Level = LogLevel.Information, EventName = "CredentialsLoaded",
            Message = "Workload credentials from {Directory}: {Credentials}")]
        public static partial void Loaded(ILogger logger, string directory, WorkloadCredentials credentials);

        [LoggerMessage(EventId = 822, Level = LogLevel.Information, EventName = "CredentialsRotated",
            Message = "Workload credentials in {Directory} changed: new handshakes use {Credentials}; open connections keep {Previous}")]
        public static partial void Rotated(ILogger logger, string directory, WorkloadCredentials credentials, WorkloadCredentials previous);

        [LoggerMessage(EventId = 823, Level = LogLevel.Warning, EventName = "CredentialsRejected",
            Message = "Keeping {Current}: the credentials on disk cannot be used: {Problem}")]
        public static partial void Rejected(ILogger logger, WorkloadCredentials current, string problem);

        [LoggerMessage(EventId = 824, Level = LogLevel.Warning, EventName = "CredentialsUnusable",
            Message = "No usable workload credentials yet: {Problem}")]
        public static partial void Unusable(ILogger logger, string problem);

        [LoggerMessage(EventId = 825, Level = LogLevel.Information, EventName = "HomeSet",
            Message = "HOME is not set: using / so that certificate chains can be built (.NET looks for a per-user store there)")]
        public static partial void HomeSet(ILogger logger);
    }
}
