namespace Capture.Proxy.Tunneling.Outbound;

/// <summary>A stream's place on a pooled connection, held from CONNECT until the stream has ended.</summary>
internal sealed class TunnelLease : IDisposable
{
    private readonly TunnelPool _pool;
    private readonly TunnelPool.PoolEntry _entry;
    private int _released;

    internal TunnelLease(TunnelPool pool, TunnelPool.PoolEntry entry, ITunnelConnection connection)
    {
        _pool = pool;
        _entry = entry;
        Connection = connection;
    }

    public ITunnelConnection Connection { get; }

    public System.Net.IPEndPoint Peer => _entry.Peer;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _entry.ReleasedTimestamp = _pool.Now;
            _pool.Release(_entry);
        }
    }
}
