using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Relaying;

internal sealed partial class Connection
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 201, Level = LogLevel.Debug, EventName = "RelayCompleted",
            Message = "Connection {ConnectionId} to {Destination} closed ({EndReason}): {BytesUpstream} bytes up, {BytesDownstream} bytes down")]
        public static partial void RelayCompleted(ILogger logger, long connectionId, NativeSocketAddress destination, ConnectionEndReason endReason, long bytesUpstream, long bytesDownstream);

        [LoggerMessage(EventId = 202, Level = LogLevel.Warning, EventName = "ConnectFailed",
            Message = "Connection {ConnectionId}: connecting to {Destination} failed ({Cause}, {Errno}) after {Attempts} attempt(s)")]
        public static partial void ConnectFailed(ILogger logger, long connectionId, NativeSocketAddress destination, ConnectFailure cause, Errno errno, int attempts);

        [LoggerMessage(EventId = 203, Level = LogLevel.Warning, EventName = "RelayFailed",
            Message = "Connection {ConnectionId} to {Destination}: {Side} socket failed with {Errno}; both sides reset")]
        public static partial void RelayFailed(ILogger logger, long connectionId, NativeSocketAddress destination, string side, Errno errno);
    }
}
