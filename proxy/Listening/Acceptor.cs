using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Capture.Proxy.Reactor;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Listening;

/// <summary>
/// One listener on one event loop: accepts in batches when the loop says it is readable and gives each client to the
/// loop's <see cref="ConnectionIntake"/>, within the descriptor limits of <see cref="AcceptLimits"/>.
/// </summary>
internal sealed partial class Acceptor : ILoopHandler
{
    /// <summary>Connections accepted per listener wake-up before other descriptors get a turn (listeners are level-triggered).</summary>
    private const int AcceptBudget = 64;

    private const int ListenerChannel = 0;

    private readonly EventLoop _loop;
    private readonly AcceptLimits _limits;
    private readonly ConnectionIntake _intake;
    private readonly ILogger _logger;
    private LoopRegistration _registration = LoopRegistration.None;

    public Acceptor(EventLoop loop, ListenerSocket listener, AcceptLimits limits, ConnectionIntake intake, ILogger logger)
    {
        _loop = loop;
        Listener = listener;
        _limits = limits;
        _intake = intake;
        _logger = logger;
    }

    public ListenerSocket Listener { get; }

    public IProxyEvents Events => _intake.Events;

    long ILoopHandler.NextDeadline => long.MaxValue;

    /// <summary>Registers the listener with the loop (before the loop starts, or on its thread).</summary>
    public void Register()
    {
        _registration = _loop.Register(this);
        Errno added = _loop.Add(Listener.Fd, EpollEvents.EPOLLIN, _registration, ListenerChannel);
        if (added != Errno.None)
        {
            throw new ProxyStartException($"epoll_ctl(listener) failed: {added}");
        }
    }

    public void OnEvents(int channel, EpollEvents events)
    {
        for (int i = 0; i < AcceptBudget && Listener.IsOpen; i++)
        {
            SysResult accepted = Sockets.Accept(Listener.Fd, out NativeSocketAddress peer);
            if (accepted.IsSuccess)
            {
                if (accepted.Value >= _limits.DescriptorCeiling)
                {
                    _limits.RefuseOverHeadroom(accepted.Value, this);
                    continue;
                }

                _intake.OnAccepted(accepted.Value, peer, Listener);
                continue;
            }

            switch (accepted.Error)
            {
                case Errno.EAGAIN:
                    return;
                case Errno.ECONNABORTED or Errno.EPROTO or Errno.ENETDOWN or Errno.ENONET or Errno.EHOSTDOWN
                    or Errno.EHOSTUNREACH or Errno.ENETUNREACH or Errno.EOPNOTSUPP or Errno.ETIMEDOUT:
                    continue; // accept(2): errors of the pending connection, not of the listener
                case Errno.EMFILE or Errno.ENFILE or Errno.ENOBUFS or Errno.ENOMEM:
                    _limits.OnExhausted(this, accepted.Error);
                    return;
                default:
                    Log.AcceptFailed(_logger, Listener.EndPoint, accepted.Error);
                    return;
            }
        }
    }

    /// <summary>Out of epoll for a moment (see <see cref="AcceptLimits.OnExhausted"/>).</summary>
    public void Pause()
    {
        if (Listener.IsOpen)
        {
            _loop.Modify(Listener.Fd, EpollEvents.None, _registration, ListenerChannel);
        }
    }

    public void Resume()
    {
        if (Listener.IsOpen)
        {
            _loop.Modify(Listener.Fd, EpollEvents.EPOLLIN, _registration, ListenerChannel);
        }
    }

    /// <summary>Stops accepting: closing the listener makes the kernel reset what waits in its accept queue.</summary>
    public void Close() => Listener.Dispose();

    // A listener has no turns, timeouts or deadlines of its own, and aborting connections leaves it listening.
    void ILoopHandler.OnRunnable()
    {
    }

    void ILoopHandler.OnSweep(long nowMs)
    {
    }

    void ILoopHandler.OnAbort()
    {
    }

    bool ILoopHandler.OnDeadline(long nowTicks) => false;

    public override string ToString() => $"listener {Listener.EndPoint} ({Listener.Direction}, {(Listener.IsOpen ? "open" : "closed")})";

    private static partial class Log
    {
        [LoggerMessage(EventId = 106, Level = LogLevel.Error, EventName = "AcceptFailed",
            Message = "Listener {EndPoint}: accept failed with {Errno}")]
        public static partial void AcceptFailed(ILogger logger, System.Net.IPEndPoint endPoint, Errno errno);
    }
}
