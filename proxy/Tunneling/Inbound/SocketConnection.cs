using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>
/// One accepted 15008 connection as Kestrel sees it. Its <see cref="Stream"/> is the socket itself, for TLS to read
/// and write directly; <see cref="Transport"/> is what the TLS middleware puts in place (the decrypted stream).
/// </summary>
internal sealed class SocketConnection : ConnectionContext, IConnectionIdFeature, IConnectionItemsFeature, IConnectionTransportFeature,
    IConnectionLifetimeFeature, IConnectionEndPointFeature, IConnectionSocketFeature, IMemoryPoolFeature
{
    private static long s_lastId;

    private readonly CancellationTokenSource _closed = new();
    private IDuplexPipe? _transport;
    private IDictionary<object, object?>? _items;
    private int _disposed;

    public SocketConnection(Socket socket, BlockMemoryPool memoryPool)
    {
        Socket = socket;
        MemoryPool = memoryPool;
        Stream = new NetworkStream(socket, ownsSocket: false);
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        ConnectionId = "hbone-" + Interlocked.Increment(ref s_lastId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        FeatureCollection features = new();
        features.Set<IConnectionIdFeature>(this);
        features.Set<IConnectionItemsFeature>(this);
        features.Set<IConnectionTransportFeature>(this);
        features.Set<IConnectionLifetimeFeature>(this);
        features.Set<IConnectionEndPointFeature>(this);
        features.Set<IConnectionSocketFeature>(this);
        features.Set<IMemoryPoolFeature>(this); // Kestrel's pipes take their buffers from it
        Features = features;
    }

    public Socket Socket { get; }

    /// <summary>Where this connection's pipes get their buffers.</summary>
    public BlockMemoryPool MemoryPool { get; }

    MemoryPool<byte> IMemoryPoolFeature.MemoryPool => MemoryPool;

    /// <summary>The socket's bytes, undecrypted.</summary>
    public NetworkStream Stream { get; }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new Dictionary<object, object?>();
        set => _items = value;
    }

    /// <summary>The raw socket as a pipe until TLS replaces it (Kestrel reads this only through the middleware).</summary>
    public override IDuplexPipe Transport
    {
        get => _transport ??= new StreamDuplexPipe(Stream, MemoryPool);
        set => _transport = value;
    }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException("the connection's closed token is its own");
    }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        // Reads and writes in flight fail at once; Kestrel disposes the connection after that.
        try
        {
            Socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed or reset by the peer: nothing in flight to stop.
        }

        Closed();
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await Stream.DisposeAsync().ConfigureAwait(false);
            Socket.Dispose();
            Closed();
            _closed.Dispose();
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Closed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed already: whoever listened has heard.
        }
    }
}
