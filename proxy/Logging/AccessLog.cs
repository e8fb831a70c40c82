using System.Net;
using Capture.Proxy.Metrics;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Logging;

/// <summary>
/// One line per finished connection: direction, client, original destination, bytes each way, duration, how it ended
/// (and why, when it failed), and how much went through splice. Category <see cref="ProxyLogging.AccessLogCategory"/>.
/// </summary>
internal sealed partial class AccessLog(ILogger logger)
{
    public AccessLog(ILoggerFactory loggerFactory)
        : this(loggerFactory.CreateLogger(ProxyLogging.AccessLogCategory))
    {
    }

    public bool IsEnabled => logger.IsEnabled(LogLevel.Information);

    public void Write(in ConnectionRecord record)
    {
        // Formatting endpoints allocates; skip all of it when the access log is off.
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        string source = Format(record.Source);
        string destination = Format(record.Destination);
        string cause = record.Failure is { } failure ? Label.Name(failure) : "-";
        string direction = Label.Name(record.Direction);
        string end = Label.Name(record.End);
        long durationMs = (long)record.Duration.TotalMilliseconds;
        Log.Connection(logger, direction, source, destination, record.BytesUpstream, record.BytesDownstream, durationMs,
            end, cause, record.BytesSpliced);
    }

    private static string Format(EndPoint? endpoint) => endpoint?.ToString() ?? "-";

    private static partial class Log
    {
        [LoggerMessage(EventId = 600, Level = LogLevel.Information, EventName = "AccessLog", SkipEnabledCheck = true,
            Message = "{Direction} {Source} -> {Destination} up={BytesUpstream} down={BytesDownstream} duration_ms={DurationMs} end={End} cause={Cause} spliced={BytesSpliced}")]
        public static partial void Connection(ILogger logger, string direction, string source, string destination,
            long bytesUpstream, long bytesDownstream, long durationMs, string end, string cause, long bytesSpliced);
    }
}
