using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using Capture.NativeShims;

namespace Capture.Proxy.Contracts;

/// <summary>
/// An accepted connection the event loop gave to an <see cref="IConnectionHandler"/>: the client socket, who it is,
/// and the calls through which it still reports to <see cref="IProxyEvents"/> (metrics, access log) and to the drain
/// owner. Every method is thread-safe.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "The token source has no timer or wait handle: nothing to release, and Aborted must stay readable after Complete.")]
internal sealed class HandedOffConnection
{
    private readonly IProxyEvents _events;
    private readonly IHandOffTracker _tracker;
    private readonly CancellationTokenSource _aborted = new();
    private SafeFileDescriptor? _client;
    private long _upstream;
    private long _downstream;
    private int _completed;
    private TunnelDetails? _tunnel;
    private string? _policy;

    internal HandedOffConnection(in ConnectionInfo info, SafeFileDescriptor client, IProxyEvents events, IHandOffTracker tracker)
    {
        Info = info;
        _client = client;
        _events = events;
        _tracker = tracker;
    }

    /// <summary>Who connected, to which original destination, on which listener; accepted was already reported.</summary>
    public ConnectionInfo Info { get; }

    /// <summary>Fires (on a thread-pool thread) when the drain period ran out or the proxy stops: end the connection now.</summary>
    public CancellationToken Aborted => _aborted.Token;

    /// <summary>True once <see cref="Complete"/> has run.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>
    /// The client socket (non-blocking, TCP_NODELAY inherited from the listener), once: the caller owns it from here
    /// and closes it. Null when already taken or the connection completed.
    /// </summary>
    public SafeFileDescriptor? TakeClient() => Interlocked.Exchange(ref _client, null);

    /// <summary>The client socket as a <see cref="Socket"/> for managed async I/O (NetworkStream, SslStream), once; the caller owns it.</summary>
    public Socket TakeClientSocket()
    {
        SafeFileDescriptor client = TakeClient() ?? throw new InvalidOperationException("the client socket was already taken");
        nint fd = client.DangerousGetHandle();
        client.SetHandleAsInvalid(); // ownership moves to the SafeSocketHandle: exactly one of them closes the descriptor
        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    /// <summary>The upstream side is established (the tunnel is up) after <paramref name="attempts"/> attempt(s).</summary>
    public void Connected(TimeSpan connectDuration, int attempts) => _events.UpstreamConnected(Info, connectDuration, attempts);

    /// <summary>No upstream could be had; call <see cref="Complete"/> with <see cref="ConnectionEndReason.ConnectFailed"/> next.</summary>
    public void ConnectFailed(ConnectFailure cause, Errno error, int attempts) => _events.ConnectFailed(Info, cause, error, attempts);

    /// <summary>
    /// Bytes delivered since the previous call: <paramref name="upstream"/> (client to destination) and
    /// <paramref name="downstream"/>. Report as they move (per write or per read is fine: the sink is a few atomic adds),
    /// so the metrics follow open connections as they do for the loop's own.
    /// </summary>
    public void Relayed(long upstream, long downstream)
    {
        if (upstream == 0 && downstream == 0)
        {
            return;
        }

        Interlocked.Add(ref _upstream, upstream);
        Interlocked.Add(ref _downstream, downstream);
        _events.BytesRelayed(Info, upstream, downstream, spliced: 0, copied: upstream + downstream);
    }

    /// <summary>The connection goes through an HBONE tunnel: its summary (access log) names the peer and its address.</summary>
    public void SetTunnel(TunnelDetails tunnel) => Volatile.Write(ref _tunnel, tunnel);

    /// <summary>The authorization policy that decided this connection (the access log names it).</summary>
    public void SetPolicy(string policy) => Volatile.Write(ref _policy, policy);

    /// <summary>
    /// Ends the connection, once (later calls return false): closes the client socket if it was never taken (with a
    /// reset unless <paramref name="reason"/> is <see cref="ConnectionEndReason.Completed"/>), reports the summary and
    /// tells the drain owner it is gone.
    /// </summary>
    public bool Complete(ConnectionEndReason reason, Errno error = Errno.None)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        SafeFileDescriptor? client = TakeClient();
        if (client is not null)
        {
            if (reason != ConnectionEndReason.Completed)
            {
                Sockets.SetLingerZero(client.Fd); // RST: a client must not read an abandoned connection as a complete answer
            }

            client.Dispose();
        }

        long upstream = Interlocked.Read(ref _upstream);
        long downstream = Interlocked.Read(ref _downstream);
        _events.ConnectionClosed(new ConnectionSummary(Info, reason, error, upstream, downstream, splicedBytes: 0,
            copiedBytes: upstream + downstream, Stopwatch.GetElapsedTime(Info.AcceptedTimestamp)) { Tunnel = Volatile.Read(ref _tunnel), Policy = Volatile.Read(ref _policy) });
        _tracker.Closed(this);
        return true;
    }

    /// <summary>Asks the handler to end the connection (drain deadline, stop). Callbacks run on the thread pool, never on the caller.</summary>
    internal void Abort()
    {
        if (!IsCompleted)
        {
            _ = _aborted.CancelAsync();
        }
    }
}
