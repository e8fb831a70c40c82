using Microsoft.Extensions.Logging;

namespace Capture.Init.Logging;

/// <summary>Creates the logger factory for one run: stderr, Istio's formats, the level from the flags.</summary>
internal static class CaptureLogging
{
    /// <summary>
    /// A factory whose loggers all write to <paramref name="error"/>. Not Microsoft.Extensions.Logging's LoggerFactory:
    /// that one builds filter rules and reads provider alias attributes by reflection on every CreateLogger, start-up
    /// work a process that lives for milliseconds does not need; level filtering happens in the logger itself.
    /// </summary>
    public static ILoggerFactory Create(TextWriter error, LogSettings settings) =>
        new StderrLoggerFactory(new StderrLoggerProvider(error, settings));

    private sealed class StderrLoggerFactory(StderrLoggerProvider provider) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => provider.CreateLogger(categoryName);

        // One sink is all capture-init has; a second provider would be a configuration error, not a feature.
        public void AddProvider(ILoggerProvider provider) =>
            throw new NotSupportedException("capture-init logs to stderr only");

        public void Dispose() => provider.Dispose();
    }
}
