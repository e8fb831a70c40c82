using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Capture.Proxy.Metrics;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Logging;

/// <summary>
/// One line per finished connection: direction, client, original destination, bytes each way, duration, how it ended
/// (and the errno when there was one), and how much went through splice. Category <see cref="ProxyLogging.AccessLogCategory"/>.
/// </summary>
internal sealed partial class AccessLog(ILogger logger)
{
    public AccessLog(ILoggerFactory loggerFactory)
        : this(loggerFactory.CreateLogger(ProxyLogging.AccessLogCategory))
    {
    }

    public bool IsEnabled => logger.IsEnabled(LogLevel.Information);

    public void Write(in ConnectionSummary summary)
    {
        // Formatting endpoints allocates; skip all of it when the access log is off.
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        string source = summary.Info.Source.ToString();
        string destination = summary.Info.Destination.ToString();
        string direction = Label.Name(summary.Info.Direction);
        string end = Label.Name(summary.EndReason);
        string error = summary.Error == Errno.None ? "-" : summary.Error.ToString();
        long durationMs = (long)summary.Duration.TotalMilliseconds;
        Log.Connection(logger, direction, source, destination, summary.BytesUpstream, summary.BytesDownstream, durationMs,
            end, error, summary.SplicedBytes, summary.CopiedBytes);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 600, Level = LogLevel.Information, EventName = "AccessLog", SkipEnabledCheck = true,
            Message = "{Direction} {Source} -> {Destination} up={BytesUpstream} down={BytesDownstream} duration_ms={DurationMs} end={End} error={Error} spliced={BytesSpliced} copied={BytesCopied}")]
        public static partial void Connection(ILogger logger, string direction, string source, string destination,
            long bytesUpstream, long bytesDownstream, long durationMs, string end, string error, long bytesSpliced, long bytesCopied);
    }
}
