using System.Diagnostics;
using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Capture.Proxy.Relaying;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Listening;

/// <summary>
/// What happens to an accepted client on its loop, in packet-path order: its original destination is read, a loop
/// back to the proxy is refused, the router decides, and the client is handed off or relayed by the loop itself.
/// </summary>
internal sealed partial class ConnectionIntake
{
    private static long s_nextConnectionId;

    private readonly IOriginalDestinationResolver _resolver;
    private readonly LoopGuard _guard;
    private readonly IUpstreamRouter _router;
    private readonly IHandOffTracker _handOffs;
    private readonly RelayContext _relays;
    private readonly ILogger _logger;

    public ConnectionIntake(IOriginalDestinationResolver resolver, LoopGuard guard, IUpstreamRouter router, IHandOffTracker handOffs,
        RelayContext relays, IProxyEvents events, ILogger logger)
    {
        _resolver = resolver;
        _guard = guard;
        _router = router;
        _handOffs = handOffs;
        _relays = relays;
        Events = events;
        _logger = logger;
    }

    public IProxyEvents Events { get; }

    public void OnAccepted(int fd, in NativeSocketAddress peer, ListenerSocket listener)
    {
        long id = Interlocked.Increment(ref s_nextConnectionId);
        Errno resolved = _resolver.Resolve(fd, listener.Direction, listener.Family, out NativeSocketAddress destination);
        ConnectionInfo info = new(id, listener.Direction, peer, resolved == Errno.None ? destination : default, Stopwatch.GetTimestamp());
        Events.ConnectionAccepted(info);
        if (resolved != Errno.None)
        {
            Log.NoOriginalDestination(_logger, id, peer, listener.EndPoint, resolved);
            Refuse(fd, info, ConnectionEndReason.NoOriginalDestination, resolved);
            return;
        }

        if (_guard.IsLoop(destination, fd))
        {
            Events.LoopRefused(info);
            Log.LoopRefused(_logger, id, peer, destination);
            Refuse(fd, info, ConnectionEndReason.LoopRefused, Errno.None);
            return;
        }

        UpstreamRoute route = _router.Route(info);
        if (route.IsHandOff)
        {
            HandOff(fd, info, route.Handler!);
            return;
        }

        _relays.Start(fd, info, route.Policy);
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
            Log.HandOffFailed(_logger, info.Id, info.Destination, ex);
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 104, Level = LogLevel.Warning, EventName = "NoOriginalDestination",
            Message = "Connection {ConnectionId} from {Source} on {Listener}: original destination unavailable ({Errno}); was it redirected? Reset")]
        public static partial void NoOriginalDestination(ILogger logger, long connectionId, NativeSocketAddress source, System.Net.IPEndPoint listener, Errno errno);

        [LoggerMessage(EventId = 105, Level = LogLevel.Warning, EventName = "LoopRefused",
            Message = "Connection {ConnectionId} from {Source}: original destination {Destination} is this proxy's own listener; refused")]
        public static partial void LoopRefused(ILogger logger, long connectionId, NativeSocketAddress source, NativeSocketAddress destination);

        [LoggerMessage(EventId = 112, Level = LogLevel.Error, EventName = "HandOffFailed",
            Message = "Connection {ConnectionId} to {Destination}: the connection handler failed; client reset")]
        public static partial void HandOffFailed(ILogger logger, long connectionId, NativeSocketAddress destination, Exception exception);
    }
}
