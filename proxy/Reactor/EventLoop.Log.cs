using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Reactor;

internal sealed partial class EventLoop
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 107, Level = LogLevel.Critical, EventName = "LoopFailed",
            Message = "Event loop {Loop} stopped")]
        public static partial void LoopFailed(ILogger logger, int loop, Exception exception);
    }
}
