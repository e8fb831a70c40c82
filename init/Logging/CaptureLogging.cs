using Microsoft.Extensions.Logging;

namespace Capture.Init.Logging;

/// <summary>Creates the logger factory for one run: stderr, Istio's formats, the level from the flags.</summary>
internal static class CaptureLogging
{
    /// <summary>
    /// Microsoft.Extensions.Logging's factory with one provider, <see cref="StderrLoggerProvider"/>, whose loggers all
    /// write to <paramref name="error"/> synchronously (so no last line is lost when the process exits).
    /// </summary>
    public static ILoggerFactory Create(TextWriter error, LogSettings settings) =>
        LoggerFactory.Create(builder => builder
            .SetMinimumLevel(settings.MinimumLevel)
            .AddProvider(new StderrLoggerProvider(error, settings)));
}
