using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tunneling.Http2;

internal sealed partial class Http2ClientConnection
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, EventName = "Http2Started",
            Message = "HTTP/2 connection started: stream window {StreamWindow}, connection window {ConnectionWindow}, max frame {MaxFrameSize}")]
        public static partial void Started(ILogger logger, int streamWindow, int connectionWindow, int maxFrameSize);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, EventName = "Http2Closed", Message = "HTTP/2 connection closed ({Kind}): {Reason}")]
        public static partial void Closed(ILogger logger, Http2CloseKind kind, string reason);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, EventName = "Http2GoAwayReceived",
            Message = "HTTP/2 peer sent GOAWAY ({ErrorCode}), last stream {LastStreamId}: no new streams on this connection")]
        public static partial void GoAwayReceived(ILogger logger, int lastStreamId, Http2ErrorCode errorCode);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, EventName = "Http2PingTimedOut",
            Message = "HTTP/2 peer did not answer a PING within {TimeoutSeconds} s: connection dropped")]
        public static partial void PingTimedOut(ILogger logger, double timeoutSeconds);

        [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, EventName = "Http2ProtocolError",
            Message = "HTTP/2 peer broke the protocol ({ErrorCode}): {Detail}; GOAWAY sent")]
        public static partial void ProtocolError(ILogger logger, Http2ErrorCode errorCode, string detail);
    }
}
