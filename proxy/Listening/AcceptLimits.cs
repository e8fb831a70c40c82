using System.Diagnostics;
using Capture.NativeShims;
using Capture.Proxy.Reactor;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Listening;

/// <summary>
/// One loop's guard against running out of descriptors: the head-room ceiling for accepted clients, the spare
/// descriptor that lets an EMFILE accept still be answered, and the pause of the loop's listeners when even that fails.
/// </summary>
internal sealed partial class AcceptLimits : ILoopTimer, IDisposable
{
    /// <summary>How long a listener stays out of epoll when even the reserve descriptor cannot be had.</summary>
    private const long ListenerPauseMilliseconds = 100;

    private readonly EventLoop _loop;
    private readonly ILogger _logger;
    private Acceptor[] _acceptors = [];
    private int _reserveFd = -1;
    private long _resumeDueTicks;
    private long _nextHeadroomLogMs;

    public AcceptLimits(EventLoop loop, ILogger logger)
    {
        _loop = loop;
        _logger = logger;
        InitializeReserve();
    }

    /// <summary>
    /// The lowest descriptor number an accepted client may have. The kernel hands out the lowest free number, so a
    /// client that arrives at or above it means fewer than <see cref="DescriptorHeadroom"/> descriptors are left: it is
    /// refused, and what is left stays free for the connections already open (upstream sockets, pipes) and for the
    /// process's own needs, above all the readiness and metrics endpoints, which must still answer under such load.
    /// </summary>
    public int DescriptorCeiling { get; } = AcceptDescriptorCeiling();

    /// <summary>Descriptors kept free below RLIMIT_NOFILE: a sixteenth of the limit, at least 16, at most 256.</summary>
    internal static int DescriptorHeadroom(ulong softLimit) => (int)Math.Clamp(softLimit / 16, 16, 256);

    /// <summary>The listeners paused together when descriptors run out.</summary>
    public void Guard(Acceptor[] acceptors) => _acceptors = acceptors;

    /// <summary>Near the descriptor limit: reset the client at once (counted as an exhausted accept), logged once a second.</summary>
    public void RefuseOverHeadroom(int fd, Acceptor acceptor)
    {
        Sockets.SetLingerZero(fd);
        Sockets.Close(fd);
        acceptor.Events.AcceptFailed(acceptor.Listener.Direction, Errno.EMFILE);
        if (_loop.NowMs >= _nextHeadroomLogMs)
        {
            _nextHeadroomLogMs = _loop.NowMs + 1000;
            Log.AcceptOverHeadroom(_logger, acceptor.Listener.EndPoint, DescriptorCeiling);
        }
    }

    /// <summary>
    /// Out of descriptors: the pending client would sit in the queue forever and the level-triggered listener would
    /// spin. Give up the reserve descriptor, accept the client and reset it, take the reserve back; if even that
    /// fails, take the loop's listeners out of epoll for a moment. Either way the loop keeps serving open connections.
    /// </summary>
    public void OnExhausted(Acceptor acceptor, Errno error)
    {
        acceptor.Events.AcceptFailed(acceptor.Listener.Direction, error);
        Log.AcceptExhausted(_logger, acceptor.Listener.EndPoint, error);
        if (_reserveFd >= 0)
        {
            Sockets.Close(_reserveFd);
            _reserveFd = -1;
            SysResult accepted = Sockets.Accept(acceptor.Listener.Fd, out _);
            if (accepted.IsSuccess)
            {
                Sockets.SetLingerZero(accepted.Value);
                Sockets.Close(accepted.Value);
            }

            InitializeReserve();
            if (_reserveFd >= 0)
            {
                return;
            }
        }

        foreach (Acceptor paused in _acceptors)
        {
            paused.Pause();
        }

        _resumeDueTicks = _loop.NowTicks + (ListenerPauseMilliseconds * Stopwatch.Frequency / 1000);
        _loop.Schedule(this, _resumeDueTicks);
    }

    /// <summary>The pause is over: the listeners go back into epoll and the reserve is taken again.</summary>
    public void OnTimer(long dueTicks)
    {
        if (dueTicks != _resumeDueTicks)
        {
            return; // a later pause superseded this one
        }

        foreach (Acceptor acceptor in _acceptors)
        {
            acceptor.Resume();
        }

        if (_reserveFd < 0)
        {
            InitializeReserve();
        }
    }

    public void Dispose()
    {
        if (_reserveFd >= 0)
        {
            Sockets.Close(_reserveFd);
            _reserveFd = -1;
        }
    }

    private static int AcceptDescriptorCeiling()
    {
        if (ResourceLimits.GetOpenFiles(out ulong soft, out _) != Errno.None || soft >= int.MaxValue)
        {
            return int.MaxValue; // unknown or unlimited: EMFILE handling alone
        }

        return (int)Math.Max(0, (long)soft - DescriptorHeadroom(soft));
    }

    /// <summary>One spare descriptor (an eventfd: no file needed) kept so an EMFILE accept can still be answered.</summary>
    private void InitializeReserve()
    {
        SysResult reserve = EventFd.Create(nonBlocking: true);
        _reserveFd = reserve.IsSuccess ? reserve.Value : -1;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 103, Level = LogLevel.Warning, EventName = "AcceptExhausted",
            Message = "Listener {EndPoint}: accept failed with {Errno}; refusing pending connections until descriptors free up")]
        public static partial void AcceptExhausted(ILogger logger, System.Net.IPEndPoint endPoint, Errno errno);

        [LoggerMessage(EventId = 111, Level = LogLevel.Warning, EventName = "AcceptOverHeadroom",
            Message = "Listener {EndPoint}: descriptor {Ceiling} or above in use, near the RLIMIT_NOFILE limit; resetting new connections until descriptors free up")]
        public static partial void AcceptOverHeadroom(ILogger logger, System.Net.IPEndPoint endPoint, int ceiling);
    }
}
