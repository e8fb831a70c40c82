using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tests.Logging;

/// <summary>Keeps what was logged: level, event id, the formatted message and the structured state.</summary>
internal sealed class RecordingLogger : ILogger
{
    public LogLevel MinimumLevel { get; init; } = LogLevel.Trace;

    public List<Entry> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= MinimumLevel;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        IReadOnlyList<KeyValuePair<string, object?>> fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        lock (Entries)
        {
            Entries.Add(new Entry(logLevel, eventId, formatter(state, exception), fields));
        }
    }

    internal sealed record Entry(LogLevel Level, EventId EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> State);
}
