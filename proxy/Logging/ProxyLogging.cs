using Capture.Proxy.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Capture.Proxy.Logging;

/// <summary>Builds the one <see cref="ILoggerFactory"/> of the process: console, plain or JSON, UTC timestamps.</summary>
internal static class ProxyLogging
{
    /// <summary>Category of the access log, which follows <see cref="ProxyOptions.AccessLog"/> rather than the log level.</summary>
    public const string AccessLogCategory = "Capture.Proxy.AccessLog";

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";

    public static ILoggerFactory Create(ProxyOptions options, LogLevelSwitch levels)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(levels);
        bool accessLog = options.AccessLog;
        return LoggerFactory.Create(builder =>
        {
            // The filter is read on every log call, so a level changed through the admin endpoint applies at once.
            // The access log is like Envoy's: on or off by its own switch, not silenced by --log-level warn.
            builder.SetMinimumLevel(LogLevel.Trace);
            builder.AddFilter((category, level) => category == AccessLogCategory
                ? accessLog && level >= LogLevel.Information
                : level >= Threshold(category, levels.Level));
            if (options.LogJson)
            {
                builder.AddJsonConsole(json =>
                {
                    json.UseUtcTimestamp = true;
                    json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                    json.IncludeScopes = false;
                });
            }
            else
            {
                builder.AddSimpleConsole(simple =>
                {
                    simple.SingleLine = true;
                    simple.UseUtcTimestamp = true;
                    simple.TimestampFormat = TimestampFormat;
                    simple.IncludeScopes = false;
                    simple.ColorBehavior = LoggerColorBehavior.Disabled;
                });
            }
        });
    }

    // Kestrel's own Information lines (request started/finished) would be noise for a sidecar's health checks.
    private static LogLevel Threshold(string? category, LogLevel level) =>
        category is not null && category.StartsWith("Microsoft.", StringComparison.Ordinal) && level < LogLevel.Warning
            ? LogLevel.Warning
            : level;
}
