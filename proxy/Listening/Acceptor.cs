using System.Diagnostics;
using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Capture.Proxy.Listening;
using Capture.Proxy.Relaying;

namespace Capture.Proxy.Reactor;

internal sealed partial class EventLoop
{
    /// <summary>Connections accepted per listener wake-up before other descriptors get a turn (listeners are level-triggered).</summary>
    private const int AcceptBudget = 64;

    /// <summary>How long a listener stays out of epoll when even the reserve descriptor cannot be had.</summary>
    private const long ListenerPauseMilliseconds = 100;

    private static long s_nextConnectionId;

    private int _reserveFd = -1;
    private long _listenersPausedUntilMs = long.MaxValue;
    private long _nextHeadroomLogMs;

    /// <summary>
    /// The lowest descriptor number an accepted client may have. The kernel hands out the lowest free number, so a
    /// client that arrives at or above it means fewer than <see cref="DescriptorHeadroom"/> descriptors are left: it is
    /// refused, and what is left stays free for the connections already open (upstream sockets, pipes) and for the
    /// process's own needs, above all the readiness and metrics endpoints, which must still answer under such load.
    /// </summary>
    private readonly int _acceptDescriptorCeiling = AcceptDescriptorCeiling();

    /// <summary>Descriptors kept free below RLIMIT_NOFILE: a sixteenth of the limit, at least 16, at most 256.</summary>
    internal static int DescriptorHeadroom(ulong softLimit) => (int)Math.Clamp(softLimit / 16, 16, 256);

    private static int AcceptDescriptorCeiling()
    {
        if (ResourceLimits.GetOpenFiles(out ulong soft, out _) != Errno.None || soft >= int.MaxValue)
        {
            return int.MaxValue; // unknown or unlimited: EMFILE handling alone
        }

        return (int)Math.Max(0, (long)soft - DescriptorHeadroom(soft));
    }

    private void AcceptBatch(ListenerSocket listener)
    {
        for (int i = 0; i < AcceptBudget && listener.IsOpen; i++)
        {
            SysResult accepted = Sockets.Accept(listener.Fd, out NativeSocketAddress peer);
            if (accepted.IsSuccess)
            {
                if (accepted.Value >= _acceptDescriptorCeiling)
                {
                    RefuseOverHeadroom(accepted.Value, listener);
                    continue;
                }

                OnAccepted(accepted.Value, peer, listener);
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
                    OnAcceptExhausted(listener, accepted.Error);
                    return;
                default:
                    Log.AcceptFailed(Logger, listener.EndPoint, accepted.Error);
                    return;
            }
        }
    }

    private void OnAccepted(int fd, in NativeSocketAddress peer, ListenerSocket listener)
    {
        long id = Interlocked.Increment(ref s_nextConnectionId);
        Errno resolved = _resolver.Resolve(fd, listener.Direction, listener.Family, out NativeSocketAddress destination);
        ConnectionInfo info = new(id, listener.Direction, peer, resolved == Errno.None ? destination : default, Stopwatch.GetTimestamp());
        Events.ConnectionAccepted(info);
        if (resolved != Errno.None)
        {
            Log.NoOriginalDestination(Logger, id, peer, listener.EndPoint, resolved);
            Refuse(fd, info, ConnectionEndReason.NoOriginalDestination, resolved);
            return;
        }

        if (_guard.IsLoop(destination, fd))
        {
            Events.LoopRefused(info);
            Log.LoopRefused(Logger, id, peer, destination);
            Refuse(fd, info, ConnectionEndReason.LoopRefused, Errno.None);
            return;
        }

        UpstreamRoute route = _router.Route(info);
        if (route.IsHandOff)
        {
            HandOff(fd, info, route.Handler!);
            return;
        }

        int slot = AllocateSlot();
        uint generation = _nextGeneration++;
        if (generation == 0)
        {
            generation = _nextGeneration++; // 0 never names a live connection
        }

        Connection connection = new(this, slot, generation, info, fd);
        _slots[slot] = connection;
        Interlocked.Increment(ref _active);
        connection.Start();
    }

    /// <summary>
    /// Gives the client socket to <paramref name="handler"/>: it was never added to this loop's epoll, so the loop only
    /// hands over ownership. The tracker counts it as open until the handler completes it.
    /// </summary>
    private void HandOff(int fd, in ConnectionInfo info, IConnectionHandler handler)
    {
        HandedOffConnection connection = new(info, new SafeFileDescriptor(fd), Events, _handOffs);
        _handOffs.Opened(connection);
        try
        {
            handler.Handle(connection);
        }
#pragma warning disable CA1031 // a handler's bug must not stop the loop that serves every other connection
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandOffFailed(Logger, info.Id, info.Destination, ex);
            connection.Complete(ConnectionEndReason.Failed);
        }
    }

    private void Refuse(int fd, in ConnectionInfo info, ConnectionEndReason reason, Errno error)
    {
        // RST rather than FIN: the client must not mistake a refusal for an empty answer. Errors are moot, we close next.
        Sockets.SetLingerZero(fd);
        Sockets.Close(fd);
        Events.ConnectionClosed(new ConnectionSummary(info, reason, error, 0, 0, 0, 0, Stopwatch.GetElapsedTime(info.AcceptedTimestamp)));
    }

    /// <summary>Near the descriptor limit: reset the client at once (counted as an exhausted accept), logged once a second.</summary>
    private void RefuseOverHeadroom(int fd, ListenerSocket listener)
    {
        Sockets.SetLingerZero(fd);
        Sockets.Close(fd);
        Events.AcceptFailed(listener.Direction, Errno.EMFILE);
        if (NowMs >= _nextHeadroomLogMs)
        {
            _nextHeadroomLogMs = NowMs + 1000;
            Log.AcceptOverHeadroom(Logger, listener.EndPoint, _acceptDescriptorCeiling);
        }
    }

    /// <summary>
    /// Out of descriptors: the pending client would sit in the queue forever and the level-triggered listener would
    /// spin. Give up the reserve descriptor, accept the client and reset it, take the reserve back; if even that
    /// fails, take the listener out of epoll for a moment. Either way the loop keeps serving open connections.
    /// </summary>
    private void OnAcceptExhausted(ListenerSocket listener, Errno error)
    {
        Events.AcceptFailed(listener.Direction, error);
        Log.AcceptExhausted(Logger, listener.EndPoint, error);
        if (_reserveFd >= 0)
        {
            Sockets.Close(_reserveFd);
            _reserveFd = -1;
            SysResult accepted = Sockets.Accept(listener.Fd, out _);
            if (accepted.IsSuccess)
            {
                Sockets.SetLingerZero(accepted.Value);
                Sockets.Close(accepted.Value);
            }

            InitializeAcceptReserve();
            if (_reserveFd >= 0)
            {
                return;
            }
        }

        PauseListeners();
    }

    private void PauseListeners()
    {
        foreach (ListenerSocket listener in _listeners)
        {
            if (listener.IsOpen)
            {
                Epoll.Modify(listener.Fd, EpollEvents.None, LoopToken.Listener(Array.IndexOf(_listeners, listener)));
            }
        }

        _listenersPausedUntilMs = NowMs + ListenerPauseMilliseconds;
    }

    private void ResumeListenersIfDue(long now)
    {
        if (now < _listenersPausedUntilMs)
        {
            return;
        }

        _listenersPausedUntilMs = long.MaxValue;
        for (int i = 0; i < _listeners.Length; i++)
        {
            if (_listeners[i].IsOpen)
            {
                Epoll.Modify(_listeners[i].Fd, EpollEvents.EPOLLIN, LoopToken.Listener(i));
            }
        }

        if (_reserveFd < 0)
        {
            InitializeAcceptReserve();
        }
    }

    /// <summary>One spare descriptor (an eventfd: no file needed) kept so an EMFILE accept can still be answered.</summary>
    private void InitializeAcceptReserve()
    {
        SysResult reserve = EventFd.Create(nonBlocking: true);
        _reserveFd = reserve.IsSuccess ? reserve.Value : -1;
    }

    private void CloseAcceptReserve()
    {
        if (_reserveFd >= 0)
        {
            Sockets.Close(_reserveFd);
            _reserveFd = -1;
        }
    }
}
