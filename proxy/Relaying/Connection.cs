using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Connecting;
using Capture.Proxy.Contracts;
using Capture.Proxy.Reactor;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Relaying;

/// <summary>
/// One proxied connection: the client socket, the upstream socket and a small state machine, driven entirely by its
/// event loop's thread. Both sockets are non-blocking and registered edge-triggered; the readable/writable flags
/// remember readiness until a call returns EAGAIN.
/// </summary>
internal sealed partial class Connection : ILoopTimer
{
    private const EpollEvents SocketEvents = EpollEvents.EPOLLIN | EpollEvents.EPOLLOUT | EpollEvents.EPOLLRDHUP | EpollEvents.EPOLLET;

    private readonly EventLoop _loop;
    private readonly RelayHalf _up = new(fromClient: true);
    private readonly RelayHalf _down = new(fromClient: false);
    private int _clientFd;
    private int _upstreamFd = -1;
    private bool _clientReadable;
    private bool _clientWritable;
    private bool _upstreamReadable;
    private bool _upstreamWritable;

    // The peer's FIN (or reset) has been reported: its socket must be read down to 0, not only until a short read.
    private bool _clientPeerShut;
    private bool _upstreamPeerShut;
    private int _attempts;
    private long _connectStartedTimestamp;
    private long _retryDueTicks;

    public Connection(EventLoop loop, int slot, uint generation, in ConnectionInfo info, int clientFd)
    {
        _loop = loop;
        Slot = slot;
        Generation = generation;
        Info = info;
        _clientFd = clientFd;
        LastActivityMs = loop.NowMs;
        bool spliceFirst = loop.Options.CopyThreshold == 0;
        _up.PreferSplice = spliceFirst;
        _down.PreferSplice = spliceFirst;
    }

    public int Slot { get; }

    public uint Generation { get; }

    public ConnectionInfo Info { get; }

    public ConnectionState State { get; private set; } = ConnectionState.Connecting;

    public long LastActivityMs { get; private set; }

    public long ConnectStartedMs { get; private set; }

    /// <summary>Queued on the loop's runnable list (a pump ran out of budget with work left).</summary>
    public bool InRunnable { get; set; }

    /// <summary>On the loop's list of connections with a batching direction (see <see cref="TrackBatching"/>).</summary>
    public bool InBatching { get; set; }

    /// <summary>State for diagnostics (read racily from another thread; only for test failure messages).</summary>
    public override string ToString() =>
        $"#{Info.Id} {State} c(r={_clientReadable},w={_clientWritable}) u(r={_upstreamReadable},w={_upstreamWritable}) " +
        $"up(pipe={_up.InPipe},backlog={_up.BacklogCount},eof={_up.SourceEof},fin={_up.Finished},bytes={_up.Bytes}) " +
        $"down(pipe={_down.InPipe},backlog={_down.BacklogCount},eof={_down.SourceEof},fin={_down.Finished},bytes={_down.Bytes}) runnable={InRunnable}";

    /// <summary>Registers the client socket and starts the first upstream attempt.</summary>
    public void Start()
    {
        Errno registered = _loop.Epoll.Add(_clientFd, SocketEvents, LoopToken.Client(Slot, Generation));
        if (registered != Errno.None)
        {
            Close(ConnectionEndReason.Failed, registered, resetClient: true, resetUpstream: false);
            return;
        }

        Errno started = StartAttempt();
        if (started != Errno.None)
        {
            OnAttemptFailed(started);
        }
    }

    /// <summary>The loop's timer: a retry's due time has come.</summary>
    public void OnTimer(long dueTicks)
    {
        if (State != ConnectionState.RetryWait || dueTicks != _retryDueTicks)
        {
            return; // closed meanwhile, or not this retry's timer
        }

        Errno started = StartAttempt();
        if (started != Errno.None)
        {
            OnAttemptFailed(started);
        }
    }

    public void OnSocketEvents(bool client, EpollEvents events)
    {
        if (State == ConnectionState.Closed)
        {
            return;
        }

        if (!client && State == ConnectionState.Connecting)
        {
            OnConnectEvents(events);
            return;
        }

        if ((events & EpollEvents.EPOLLERR) != 0)
        {
            int fd = client ? _clientFd : _upstreamFd;
            if (fd >= 0 && Sockets.GetPendingError(fd, out Errno pending) == Errno.None && pending != Errno.None)
            {
                SideFailed(client, pending);
                return;
            }
        }

        if ((events & (EpollEvents.EPOLLIN | EpollEvents.EPOLLRDHUP | EpollEvents.EPOLLHUP)) != 0)
        {
            if (client) { _clientReadable = true; } else { _upstreamReadable = true; }
        }

        if ((events & (EpollEvents.EPOLLRDHUP | EpollEvents.EPOLLHUP)) != 0)
        {
            if (client) { _clientPeerShut = true; } else { _upstreamPeerShut = true; }
        }

        if ((events & (EpollEvents.EPOLLOUT | EpollEvents.EPOLLHUP)) != 0)
        {
            if (client) { _clientWritable = true; } else { _upstreamWritable = true; }
        }

        if (State == ConnectionState.Relaying)
        {
            PumpBoth();
        }
    }

    /// <summary>
    /// The loop's periodic sweep: connect timeout and idle timeout, and the bytes relayed since the last sweep reported
    /// (so the metrics follow open connections, not only finished ones).
    /// </summary>
    public void Sweep(long nowMs, long connectTimeoutMs, long idleTimeoutMs)
    {
        if (State == ConnectionState.Connecting && nowMs - ConnectStartedMs >= connectTimeoutMs)
        {
            OnAttemptFailed(Errno.ETIMEDOUT);
        }
        else if (State == ConnectionState.Relaying)
        {
            if (idleTimeoutMs > 0 && nowMs - LastActivityMs >= idleTimeoutMs)
            {
                Close(ConnectionEndReason.IdleTimeout, Errno.None, resetClient: false, resetUpstream: false);
            }
            else
            {
                ReportRelayed();
            }
        }
    }

    /// <summary>Resets both sides now (drain period over, engine stopping).</summary>
    public void Abort(ConnectionEndReason reason) => Close(reason, Errno.None, resetClient: true, resetUpstream: true);

    private Errno StartAttempt()
    {
        _attempts++;
        ConnectStartedMs = _loop.NowMs;
        _connectStartedTimestamp = Stopwatch.GetTimestamp();
        State = ConnectionState.Connecting;
        SysResult created = _loop.UpstreamSockets.Open(Info);
        if (!created.IsSuccess)
        {
            return created.Error;
        }

        _upstreamFd = created.Value;
        _upstreamReadable = _upstreamWritable = false;
        Errno error = _loop.Epoll.Add(_upstreamFd, SocketEvents, LoopToken.Upstream(Slot, Generation));
        if (error == Errno.None)
        {
            error = Sockets.Connect(_upstreamFd, Info.Destination);
        }
        switch (error)
        {
            case Errno.EINPROGRESS:
                return Errno.None; // EPOLLOUT reports the outcome
            case Errno.None:
                OnConnected();
                return Errno.None;
            default:
                CloseUpstreamQuietly();
                return error;
        }
    }

    private void OnConnectEvents(EpollEvents events)
    {
        if ((events & (EpollEvents.EPOLLOUT | EpollEvents.EPOLLERR | EpollEvents.EPOLLHUP)) == 0)
        {
            if ((events & EpollEvents.EPOLLIN) != 0)
            {
                _upstreamReadable = true;
            }

            return;
        }

        // Writable without ERR or HUP is an established connection (a failed handshake reports ERR|HUP), so only those
        // two need SO_ERROR's system call to learn what happened.
        if ((events & (EpollEvents.EPOLLERR | EpollEvents.EPOLLHUP)) != 0)
        {
            Errno error = Sockets.GetPendingError(_upstreamFd, out Errno pending);
            Errno outcome = error != Errno.None ? error : pending;
            if (outcome == Errno.None && (events & EpollEvents.EPOLLOUT) == 0)
            {
                outcome = Errno.ECONNRESET; // HUP without an error: the handshake ended without a connection
            }

            if (outcome != Errno.None)
            {
                OnAttemptFailed(outcome);
                return;
            }
        }

        _upstreamReadable |= (events & (EpollEvents.EPOLLIN | EpollEvents.EPOLLRDHUP)) != 0;
        _upstreamPeerShut |= (events & (EpollEvents.EPOLLRDHUP | EpollEvents.EPOLLHUP)) != 0;
        OnConnected();
    }

    private void OnConnected()
    {
        State = ConnectionState.Relaying;
        _upstreamWritable = true;
        LastActivityMs = _loop.NowMs;
        _loop.Events.UpstreamConnected(Info, Stopwatch.GetElapsedTime(_connectStartedTimestamp), _attempts);
        PumpBoth();
    }

    private void OnAttemptFailed(Errno error)
    {
        CloseUpstreamQuietly();
        if (_loop.Retry.ShouldRetry(error, _attempts))
        {
            // A retry is a state with a due time on the loop's timer; the connect timeout does not run meanwhile.
            State = ConnectionState.RetryWait;
            _retryDueTicks = Stopwatch.GetTimestamp() + _loop.Retry.DelayTicks(_attempts);
            _loop.Schedule(this, _retryDueTicks);
            return;
        }

        FailConnect(error);
    }

    private void FailConnect(Errno error)
    {
        ConnectFailure cause = ConnectRetry.Classify(error);
        _loop.Events.ConnectFailed(Info, cause, error, _attempts);
        Log.ConnectFailed(_loop.Logger, Info.Id, Info.Destination, cause, error, _attempts);
        // The client sees a reset, as it would have from a refused or unreachable destination without the proxy.
        Close(ConnectionEndReason.ConnectFailed, error, resetClient: true, resetUpstream: false);
    }

    /// <summary>A socket reported an error: the peer on that side reset (or failed); the other side gets a reset.</summary>
    private void SideFailed(bool client, Errno error)
    {
        bool peerEnded = error is Errno.ECONNRESET or Errno.EPIPE or Errno.ETIMEDOUT or Errno.ECONNABORTED or Errno.EHOSTUNREACH or Errno.ENETUNREACH;
        ConnectionEndReason reason = !peerEnded ? ConnectionEndReason.Failed
            : client ? ConnectionEndReason.ClientReset : ConnectionEndReason.UpstreamReset;
        if (!peerEnded)
        {
            Log.RelayFailed(_loop.Logger, Info.Id, Info.Destination, client ? "client" : "upstream", error);
        }

        Close(reason, error, resetClient: !client || !peerEnded, resetUpstream: client || !peerEnded);
    }

    private void CloseUpstreamQuietly()
    {
        if (_upstreamFd >= 0)
        {
            // close(2) also removes it from epoll; an error leaves nothing for us to undo.
            Sockets.Close(_upstreamFd);
            _upstreamFd = -1;
        }
    }

    /// <summary>Tears the connection down once: optional resets, close, pipes and buffers back, one summary event.</summary>
    private void Close(ConnectionEndReason reason, Errno error, bool resetClient, bool resetUpstream)
    {
        if (State == ConnectionState.Closed)
        {
            return;
        }

        State = ConnectionState.Closed;

        // SO_LINGER 0 turns close into RST. Errors are ignored: the socket may already be reset, and we close it next anyway.
        if (resetClient)
        {
            Sockets.SetLingerZero(_clientFd);
        }

        if (resetUpstream && _upstreamFd >= 0)
        {
            Sockets.SetLingerZero(_upstreamFd);
        }

        Sockets.Close(_clientFd);
        _clientFd = -1;
        CloseUpstreamQuietly();
        ReleaseHalf(_up);
        ReleaseHalf(_down);

        ReportRelayed(); // the remainder, before the summary: a sink sees every byte counted once the connection is closed
        ConnectionSummary summary = new(Info, reason, error, _up.Bytes, _down.Bytes, _up.Spliced + _down.Spliced,
            _up.Copied + _down.Copied, Stopwatch.GetElapsedTime(Info.AcceptedTimestamp));
        _loop.Events.ConnectionClosed(summary);
        if (_loop.Logger.IsEnabled(LogLevel.Debug))
        {
            Log.RelayCompleted(_loop.Logger, Info.Id, Info.Destination, reason, _up.Bytes, _down.Bytes);
        }

        _loop.Release(this);
    }

    private void ReleaseHalf(RelayHalf half)
    {
        if (half.Pipe.IsValid)
        {
            _loop.Pipes.Return(half.Pipe, empty: half.InPipe == 0);
            half.Pipe = SplicePipe.None;
            half.InPipe = 0;
        }

        if (half.Backlog is not null)
        {
            ArrayPool<byte>.Shared.Return(half.Backlog);
            half.Backlog = null;
            half.BacklogCount = 0;
        }
    }
}
