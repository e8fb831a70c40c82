using System.Net;
using Capture.NativeShims;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Reactor;

internal sealed partial class EventLoop
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 103, Level = LogLevel.Warning, EventName = "AcceptExhausted",
            Message = "Listener {EndPoint}: accept failed with {Errno}; refusing pending connections until descriptors free up")]
        public static partial void AcceptExhausted(ILogger logger, IPEndPoint endPoint, Errno errno);

        [LoggerMessage(EventId = 111, Level = LogLevel.Warning, EventName = "AcceptOverHeadroom",
            Message = "Listener {EndPoint}: descriptor {Ceiling} or above in use, near the RLIMIT_NOFILE limit; resetting new connections until descriptors free up")]
        public static partial void AcceptOverHeadroom(ILogger logger, IPEndPoint endPoint, int ceiling);

        [LoggerMessage(EventId = 104, Level = LogLevel.Warning, EventName = "NoOriginalDestination",
            Message = "Connection {ConnectionId} from {Source} on {Listener}: original destination unavailable ({Errno}); was it redirected? Reset")]
        public static partial void NoOriginalDestination(ILogger logger, long connectionId, NativeSocketAddress source, IPEndPoint listener, Errno errno);

        [LoggerMessage(EventId = 105, Level = LogLevel.Warning, EventName = "LoopRefused",
            Message = "Connection {ConnectionId} from {Source}: original destination {Destination} is this proxy's own listener; refused")]
        public static partial void LoopRefused(ILogger logger, long connectionId, NativeSocketAddress source, NativeSocketAddress destination);

        [LoggerMessage(EventId = 106, Level = LogLevel.Error, EventName = "AcceptFailed",
            Message = "Listener {EndPoint}: accept failed with {Errno}")]
        public static partial void AcceptFailed(ILogger logger, IPEndPoint endPoint, Errno errno);

        [LoggerMessage(EventId = 112, Level = LogLevel.Error, EventName = "HandOffFailed",
            Message = "Connection {ConnectionId} to {Destination}: the connection handler failed; client reset")]
        public static partial void HandOffFailed(ILogger logger, long connectionId, NativeSocketAddress destination, Exception exception);

        [LoggerMessage(EventId = 107, Level = LogLevel.Critical, EventName = "LoopFailed",
            Message = "Event loop {Loop} stopped")]
        public static partial void LoopFailed(ILogger logger, int loop, Exception exception);
    }
}
