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
/// event loop's thread. Both sockets are non-blocking and registered edge-triggered; the two <see cref="RelayHalf"/>s
/// remember the readiness the loop reported until a call returns EAGAIN, and <see cref="RelayPump"/> moves the bytes.
/// </summary>
internal sealed partial class Connection : ILoopHandler, ILoopTimer
{
    private const EpollEvents SocketEvents = EpollEvents.EPOLLIN | EpollEvents.EPOLLOUT | EpollEvents.EPOLLRDHUP | EpollEvents.EPOLLET;
    private const int ClientChannel = 0;
    private const int UpstreamChannel = 1;

    private readonly RelayContext _context;
    private readonly EventLoop _loop;
    private readonly RelayHalf _up;
    private readonly RelayHalf _down;

    // namespace/name of the authorization policy that allowed this connection (access log), or null.
    private readonly string? _policy;
    private LoopRegistration _registration = LoopRegistration.None;
    private int _clientFd;
    private int _upstreamFd = -1;
    private int _attempts;
    private long _connectStartedMs;
    private long _connectStartedTimestamp;
    private long _retryDueTicks;
    private long _connectedMs;

    public Connection(RelayContext context, in ConnectionInfo info, int clientFd, string? policy = null)
    {
        _policy = policy;
        _context = context;
        _loop = context.Loop;
        Info = info;
        _clientFd = clientFd;
        _up = new RelayHalf(fromClient: true, context.Options.CopyThreshold);
        _down = new RelayHalf(fromClient: false, context.Options.CopyThreshold);
    }

    public ConnectionInfo Info { get; }

    public ConnectionState State { get; private set; } = ConnectionState.Connecting;

    /// <summary>Earliest batch deadline of either direction, or <see cref="long.MaxValue"/> when neither batches.</summary>
    public long NextDeadline => Math.Min(_up.BatchDeadline, _down.BatchDeadline);

    private long LastActivityMs => Math.Max(_connectedMs, Math.Max(_up.LastActivityMs, _down.LastActivityMs));

    /// <summary>State for diagnostics (read racily from another thread; only for test failure messages).</summary>
    public override string ToString() => $"#{Info.Id} {State} up({_up}) down({_down})";

    /// <summary>Registers with the loop and the client socket, and starts the first upstream attempt.</summary>
    public void Start()
    {
        _registration = _loop.Register(this);
        Errno registered = _loop.Add(_clientFd, SocketEvents, _registration, ClientChannel);
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

    public void OnEvents(int channel, EpollEvents events)
    {
        if (State == ConnectionState.Closed)
        {
            return;
        }

        bool client = channel == ClientChannel;
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

        // The client socket is the source of the up direction and the sink of the down direction; the upstream the reverse.
        RelayHalf reading = client ? _up : _down;
        RelayHalf writing = client ? _down : _up;
        if ((events & (EpollEvents.EPOLLIN | EpollEvents.EPOLLRDHUP | EpollEvents.EPOLLHUP)) != 0)
        {
            reading.OnSourceReadable();
        }

        if ((events & (EpollEvents.EPOLLRDHUP | EpollEvents.EPOLLHUP)) != 0)
        {
            reading.OnSourcePeerShut();
        }

        if ((events & (EpollEvents.EPOLLOUT | EpollEvents.EPOLLHUP)) != 0)
        {
            writing.OnSinkWritable();
        }

        if (State == ConnectionState.Relaying)
        {
            PumpBoth();
        }
    }

    /// <summary>Queued by <see cref="PumpBoth"/> when a direction ran out of budget, or by an overdue batch.</summary>
    public void OnRunnable()
    {
        if (State != ConnectionState.Closed)
        {
            PumpBoth();
        }
    }

    /// <summary>
    /// The loop's periodic sweep: connect timeout and idle timeout, and the bytes relayed since the last sweep reported
    /// (so the metrics follow open connections, not only finished ones).
    /// </summary>
    public void OnSweep(long nowMs)
    {
        if (State == ConnectionState.Connecting && nowMs - _connectStartedMs >= _context.ConnectTimeoutMs)
        {
            OnAttemptFailed(Errno.ETIMEDOUT);
        }
        else if (State == ConnectionState.Relaying)
        {
            if (_context.IdleTimeoutMs > 0 && nowMs - LastActivityMs >= _context.IdleTimeoutMs)
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
    public void OnAbort() => Close(ConnectionEndReason.Drained, Errno.None, resetClient: true, resetUpstream: true);

    /// <summary>
    /// Called by the loop while a direction batches its reads: a direction whose batch is overdue is read now, below
    /// the mark (see <see cref="ReadBatch"/>). Returns whether either direction still batches.
    /// </summary>
    public bool OnDeadline(long nowTicks)
    {
        if (State != ConnectionState.Relaying)
        {
            return false;
        }

        bool due = _up.ReadIfBatchOverdue(nowTicks) | _down.ReadIfBatchOverdue(nowTicks);
        if (due)
        {
            _loop.MarkRunnable(_registration);
        }

        return _up.IsBatching || _down.IsBatching;
    }

    /// <summary>Moves what can be moved in both directions; queues itself if either ran out of budget.</summary>
    private void PumpBoth()
    {
        bool moreWork = false;
        if (PumpHalf(_up, ref moreWork) && PumpHalf(_down, ref moreWork) && moreWork)
        {
            _loop.MarkRunnable(_registration);
        }
    }

    /// <summary>Pumps one direction and acts on how it ended; false once the connection is closed.</summary>
    private bool PumpHalf(RelayHalf half, ref bool moreWork)
    {
        PumpResult result = _context.Pump.Pump(half);
        switch (result.Outcome)
        {
            case PumpOutcome.MoreWork:
                moreWork = true;
                return true;
            case PumpOutcome.Finished:
                return FinishHalf(half);
            case PumpOutcome.SourceFailed:
                SideFailed(client: half.FromClient, result.Error);
                return false;
            case PumpOutcome.SinkFailed:
                SideFailed(client: !half.FromClient, result.Error);
                return false;
            default:
                return true;
        }
    }

    /// <summary>A direction delivered everything up to its source's FIN; false once that closed the connection.</summary>
    private bool FinishHalf(RelayHalf half)
    {
        RelayHalf other = half.FromClient ? _down : _up;
        if (other.IsFinished)
        {
            // The last FIN goes out with close(2): both sources were read to EOF, so neither socket holds unread bytes
            // that would turn the close into a reset. One system call less per connection than shutdown then close.
            Close(ConnectionEndReason.Completed, Errno.None, resetClient: false, resetUpstream: false);
            return false;
        }

        // The peer's FIN is forwarded as ours. ENOTCONN means the sink is already fully closed: nothing left to tell it.
        Sockets.Shutdown(half.SinkFd, SocketShutdown.Send);
        return true;
    }

    private Errno StartAttempt()
    {
        _attempts++;
        _connectStartedMs = _loop.NowMs;
        _connectStartedTimestamp = Stopwatch.GetTimestamp();
        State = ConnectionState.Connecting;
        SysResult created = _context.UpstreamSockets.Open(Info);
        if (!created.IsSuccess)
        {
            return created.Error;
        }

        _upstreamFd = created.Value;
        _down.ForgetSourceReadiness();
        _up.ForgetSinkReadiness();
        Errno error = _loop.Add(_upstreamFd, SocketEvents, _registration, UpstreamChannel);
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
                _down.OnSourceReadable();
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

        if ((events & (EpollEvents.EPOLLIN | EpollEvents.EPOLLRDHUP)) != 0)
        {
            _down.OnSourceReadable();
        }

        if ((events & (EpollEvents.EPOLLRDHUP | EpollEvents.EPOLLHUP)) != 0)
        {
            _down.OnSourcePeerShut();
        }

        OnConnected();
    }

    private void OnConnected()
    {
        State = ConnectionState.Relaying;
        _up.Attach(_clientFd, _upstreamFd, _registration);
        _down.Attach(_upstreamFd, _clientFd, _registration);
        _up.OnSinkWritable();
        _connectedMs = _loop.NowMs;
        _context.Events.UpstreamConnected(Info, Stopwatch.GetElapsedTime(_connectStartedTimestamp), _attempts);
        PumpBoth();
    }

    private void OnAttemptFailed(Errno error)
    {
        CloseUpstreamQuietly();
        if (_context.Retry.ShouldRetry(error, _attempts))
        {
            // A retry is a state with a due time on the loop's timer; the connect timeout does not run meanwhile.
            State = ConnectionState.RetryWait;
            _retryDueTicks = Stopwatch.GetTimestamp() + _context.Retry.DelayTicks(_attempts);
            _loop.Schedule(this, _retryDueTicks);
            return;
        }

        FailConnect(error);
    }

    private void FailConnect(Errno error)
    {
        ConnectFailure cause = ConnectRetry.Classify(error);
        _context.Events.ConnectFailed(Info, cause, error, _attempts);
        Log.ConnectFailed(_context.Logger, Info.Id, Info.Destination, cause, error, _attempts);
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
            Log.RelayFailed(_context.Logger, Info.Id, Info.Destination, client ? "client" : "upstream", error);
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
        _up.Release(_context.Pipes);
        _down.Release(_context.Pipes);

        ReportRelayed(); // the remainder, before the summary: a sink sees every byte counted once the connection is closed
        ConnectionSummary summary = new(Info, reason, error, _up.Bytes, _down.Bytes, _up.Spliced + _down.Spliced,
            _up.Copied + _down.Copied, Stopwatch.GetElapsedTime(Info.AcceptedTimestamp)) { Policy = _policy };
        _context.Events.ConnectionClosed(summary);
        if (_context.Logger.IsEnabled(LogLevel.Debug))
        {
            Log.RelayCompleted(_context.Logger, Info.Id, Info.Destination, reason, _up.Bytes, _down.Bytes);
        }

        _loop.Unregister(_registration);
        _context.Closed();
    }
}
