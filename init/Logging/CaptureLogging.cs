using Microsoft.Extensions.Logging;

namespace Capture.Init.Logging;

/// <summary>Creates the logger factory for one run: stderr, Istio's formats, the level from the flags.</summary>
internal static class CaptureLogging
{
    public static ILoggerFactory Create(TextWriter error, LogSettings settings)
    {
        // LoggerFactory directly, not LoggerFactory.Create(builder => …): no DI container at start-up.
        var factory = new LoggerFactory(
            [new StderrLoggerProvider(error, settings)],
            new LoggerFilterOptions { MinLevel = settings.MinimumLevel });
        return factory;
    }
}
