using Microsoft.AspNetCore.Connections;

namespace Capture.Proxy.Admin;

/// <summary>
/// A connection limit for the readiness, metrics and admin ports that evicts rather than refuses: when a new
/// connection would exceed the limit, the oldest connection with no request in progress is closed to make room (the
/// oldest of all if every one is busy). A flood of idle or slow connections then cannot starve the kubelet's probe,
/// which always comes on a new connection; Kestrel's own limit would refuse exactly that probe.
/// </summary>
internal sealed class IdleEvictingLimit(int maxConnections)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Tracked> _open = [];
    private readonly Dictionary<string, LinkedListNode<Tracked>> _byId = new(StringComparer.Ordinal);
    private long _evicted;

    /// <summary>Connections closed to make room for newer ones, since start.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Connections open now.</summary>
    public int Open
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    /// <summary>Kestrel connection middleware (<c>ListenOptions.Use</c>): tracks the connection for its lifetime.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        LinkedListNode<Tracked> node = Admit(connection);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                if (node.List is not null)
                {
                    _open.Remove(node);
                }

                _byId.Remove(connection.ConnectionId);
            }
        }
    };

    /// <summary>A request started on <paramref name="connectionId"/>: not idle until <see cref="RequestEnded"/>.</summary>
    public void RequestStarted(string connectionId) => SetBusy(connectionId, busy: true);

    public void RequestEnded(string connectionId) => SetBusy(connectionId, busy: false);

    private LinkedListNode<Tracked> Admit(ConnectionContext connection)
    {
        ConnectionContext? victim = null;
        LinkedListNode<Tracked> node;
        lock (_gate)
        {
            if (_open.Count >= maxConnections)
            {
                LinkedListNode<Tracked>? candidate = _open.First;
                while (candidate is not null && candidate.Value.Busy)
                {
                    candidate = candidate.Next;
                }

                candidate ??= _open.First;
                if (candidate is not null)
                {
                    victim = candidate.Value.Connection;
                    _open.Remove(candidate);
                }
            }

            node = _open.AddLast(new Tracked(connection));
            _byId[connection.ConnectionId] = node;
        }

        if (victim is not null)
        {
            Interlocked.Increment(ref _evicted);
            victim.Abort(new ConnectionAbortedException("evicted: the admin ports' connection limit was reached and a new connection came"));
        }

        return node;
    }

    private void SetBusy(string connectionId, bool busy)
    {
        lock (_gate)
        {
            if (_byId.TryGetValue(connectionId, out LinkedListNode<Tracked>? node))
            {
                node.Value.Busy = busy;
            }
        }
    }

    private sealed class Tracked(ConnectionContext connection)
    {
        public ConnectionContext Connection { get; } = connection;

        public bool Busy { get; set; }
    }
}
