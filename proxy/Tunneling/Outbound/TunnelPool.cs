using System.Diagnostics;
using System.Net;
using Capture.Proxy.Identity;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tunneling.Outbound;

/// <summary>
/// Tunnel connections shared by app connections to the same peer: keyed by (peer, expected identities, our
/// credentials), up to <see cref="MaxStreamsPerConnection"/> streams each (ztunnel's 100), a new connection dialled
/// when all are full; concurrent app connections wait for one dial rather than each starting its own. Connections idle
/// for <see cref="IdleTimeout"/> are closed. Keying on our credentials means a certificate rotation sends new streams
/// over new connections with the new certificate, while open ones keep theirs until they go idle.
/// </summary>
internal sealed partial class TunnelPool : IAsyncDisposable
{
    /// <summary>ztunnel's client limit per pooled connection.</summary>
    public const int MaxStreamsPerConnection = 100;

    /// <summary>Defaults to 5 minutes, ztunnel's.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(5);

    private readonly Func<IPEndPoint, WorkloadCredentials, IReadOnlyList<string>, CancellationToken, Task<ITunnelConnection>> _dial;
    private readonly IHboneEvents _events;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTimeout;
    private readonly Dictionary<string, List<PoolEntry>> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly ITimer _sweep;
    private readonly CancellationTokenSource _disposed = new();

    public TunnelPool(Func<IPEndPoint, WorkloadCredentials, IReadOnlyList<string>, CancellationToken, Task<ITunnelConnection>> dial,
        IHboneEvents events, ILogger logger, TimeProvider? time = null, TimeSpan? idleTimeout = null)
    {
        _dial = dial;
        _events = events;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _idleTimeout = idleTimeout ?? IdleTimeout;
        TimeSpan sweep = _idleTimeout / 4 < TimeSpan.FromSeconds(30) ? _idleTimeout / 4 : TimeSpan.FromSeconds(30);
        _sweep = _time.CreateTimer(static s => ((TunnelPool)s!).Sweep(), this, sweep, sweep);
    }

    /// <summary>Tunnel connections currently open (established and not yet closed).</summary>
    public int OpenConnections
    {
        get
        {
            int open = 0;
            lock (_lock)
            {
                foreach (List<PoolEntry> entries in _entries.Values)
                {
                    foreach (PoolEntry entry in entries)
                    {
                        open += entry.IsEstablished ? 1 : 0;
                    }
                }
            }

            return open;
        }
    }

    /// <summary>
    /// A connection to <paramref name="peer"/> with room for one more stream, reserved for the caller until the lease is
    /// disposed. Throws <see cref="TunnelDialException"/> when a new connection was needed and could not be made.
    /// </summary>
    public async Task<TunnelLease> AcquireAsync(IPEndPoint peer, WorkloadCredentials credentials, IReadOnlyList<string> expectedIdentities,
        CancellationToken cancellationToken)
    {
        string key = Key(peer, credentials, expectedIdentities);
        while (true)
        {
            PoolEntry entry;
            lock (_lock)
            {
                entry = FindOrAdd(key, peer, credentials, expectedIdentities);
                entry.Reserved++;
            }

            ITunnelConnection connection;
            try
            {
                connection = await entry.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Release(entry);
                throw;
            }

            if (connection.CanOpenStream)
            {
                return new TunnelLease(this, entry, connection);
            }

            // It went away (GOAWAY, error) or the server's stream limit is lower than ours: try another.
            lock (_lock)
            {
                entry.Full = true;
            }

            Release(entry);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync().ConfigureAwait(false);
        _sweep.Dispose();
        List<PoolEntry> all = [];
        lock (_lock)
        {
            foreach (List<PoolEntry> entries in _entries.Values)
            {
                all.AddRange(entries);
            }

            _entries.Clear();
        }

        foreach (PoolEntry entry in all)
        {
            await entry.CloseAsync().ConfigureAwait(false);
        }

        _disposed.Dispose();
    }

    internal void Release(PoolEntry entry)
    {
        lock (_lock)
        {
            entry.Reserved--;
        }
    }

    private PoolEntry FindOrAdd(string key, IPEndPoint peer, WorkloadCredentials credentials, IReadOnlyList<string> expectedIdentities)
    {
        if (!_entries.TryGetValue(key, out List<PoolEntry>? entries))
        {
            entries = [];
            _entries[key] = entries;
        }

        foreach (PoolEntry candidate in entries)
        {
            if (!candidate.Full && candidate.Reserved < MaxStreamsPerConnection && candidate.IsUsable)
            {
                return candidate;
            }
        }

        PoolEntry entry = new(this, key, peer);
        entries.Add(entry);
        entry.Start(_dial(peer, credentials, expectedIdentities, _disposed.Token));
        return entry;
    }

    internal void Established(PoolEntry entry)
    {
        _events.PooledConnectionsChanged(1);
        Log.Opened(_logger, entry.Peer);
    }

    /// <summary>A dial failed or an established connection closed: forget it (the waiters already have their answer).</summary>
    internal void Remove(PoolEntry entry, bool wasEstablished)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(entry.Key, out List<PoolEntry>? entries))
            {
                entries.Remove(entry);
                if (entries.Count == 0)
                {
                    _entries.Remove(entry.Key);
                }
            }
        }

        if (wasEstablished)
        {
            _events.PooledConnectionsChanged(-1);
            Log.Closed(_logger, entry.Peer);
        }
    }

    private void Sweep()
    {
        List<PoolEntry> idle = [];
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            foreach (List<PoolEntry> entries in _entries.Values)
            {
                foreach (PoolEntry entry in entries)
                {
                    if (entry.Reserved == 0 && entry.IsEstablished && entry.Connection!.ActiveStreams == 0 &&
                        _time.GetElapsedTime(Math.Max(entry.Connection.IdleSinceTimestamp, entry.ReleasedTimestamp), now) >= _idleTimeout)
                    {
                        entry.Full = true; // no new streams while it closes
                        idle.Add(entry);
                    }
                }
            }
        }

        foreach (PoolEntry entry in idle)
        {
            Log.IdleClosed(_logger, entry.Peer, _idleTimeout);
            _ = entry.CloseAsync();
        }
    }

    // One pool per (peer, expected identities, our certificate): the thumbprint changes with every rotation.
    private static string Key(IPEndPoint peer, WorkloadCredentials credentials, IReadOnlyList<string> expected) =>
        peer + "|" + string.Join(',', expected) + "|" + credentials.Leaf.Thumbprint;

    /// <summary>Timestamps for idleness, from the pool's clock.</summary>
    internal long Now => _time.GetTimestamp();

    internal ILogger Logger => _logger;

    private static partial class Log
    {
        [LoggerMessage(EventId = 871, Level = LogLevel.Debug, EventName = "TunnelOpened", Message = "HBONE tunnel connection to {Peer} opened")]
        public static partial void Opened(ILogger logger, IPEndPoint peer);

        [LoggerMessage(EventId = 872, Level = LogLevel.Debug, EventName = "TunnelClosed", Message = "HBONE tunnel connection to {Peer} closed")]
        public static partial void Closed(ILogger logger, IPEndPoint peer);

        [LoggerMessage(EventId = 873, Level = LogLevel.Debug, EventName = "TunnelIdleClosed",
            Message = "HBONE tunnel connection to {Peer} closed after {IdleTimeout} without streams")]
        public static partial void IdleClosed(ILogger logger, IPEndPoint peer, TimeSpan idleTimeout);
    }

    /// <summary>One pooled connection, from its dial to its close.</summary>
    internal sealed class PoolEntry(TunnelPool pool, string key, IPEndPoint peer)
    {
        private int _closed;

        public string Key { get; } = key;

        public IPEndPoint Peer { get; } = peer;

        public Task<ITunnelConnection> Ready { get; private set; } = null!;

        public ITunnelConnection? Connection { get; private set; }

        /// <summary>Streams reserved by callers (guarded by the pool's lock).</summary>
        public int Reserved { get; set; }

        /// <summary>No new streams: the server's limit was reached, it is going away, or it is being closed as idle.</summary>
        public bool Full { get; set; }

        public long ReleasedTimestamp { get; set; }

        public bool IsEstablished => Connection is not null && Volatile.Read(ref _closed) == 0;

        public bool IsUsable => Volatile.Read(ref _closed) == 0 && (Connection is null || (Connection.CanOpenStream && !Connection.Completion.IsCompleted));

        public void Start(Task<ITunnelConnection> dial) => Ready = CompleteAsync(dial);

        public async Task CloseAsync()
        {
            if (Connection is not null && Interlocked.Exchange(ref _closed, 1) == 0)
            {
                await Connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        private async Task<ITunnelConnection> CompleteAsync(Task<ITunnelConnection> dial)
        {
            ITunnelConnection connection;
            try
            {
                connection = await dial.ConfigureAwait(false);
            }
            catch
            {
                Interlocked.Exchange(ref _closed, 1);
                pool.Remove(this, wasEstablished: false);
                throw;
            }

            Connection = connection;
            ReleasedTimestamp = pool.Now;
            pool.Established(this);
            _ = WatchAsync(connection);
            return connection;
        }

        private async Task WatchAsync(ITunnelConnection connection)
        {
            try
            {
                await connection.Completion.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // How it ended is the connection's own business (it logs); the pool only forgets it.
            }

            Interlocked.Exchange(ref _closed, 1);
            pool.Remove(this, wasEstablished: true);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
