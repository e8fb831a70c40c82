using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Logging;

/// <summary>
/// Writes log lines synchronously to a writer (stderr), in Istio's formats: text
/// <c>2026-01-02T03:04:05.123456Z	info	message</c> or, with <c>--log_as_json</c>, one JSON object per line.
/// </summary>
/// <remarks>
/// Synchronous on purpose: capture-init lives for milliseconds, and Microsoft.Extensions.Logging.Console's background
/// queue (plus its options/DI start-up) costs start-up time and may lose the last lines when the process exits.
/// </remarks>
internal sealed class StderrLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _writer;
    private readonly LogSettings _settings;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();

    public StderrLoggerProvider(TextWriter writer, LogSettings settings, TimeProvider? time = null)
    {
        _writer = writer;
        _settings = settings;
        _time = time ?? TimeProvider.System;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose() => _writer.Flush();

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        _ => "fatal",
    };

    private void Write(LogLevel level, string message, Exception? exception)
    {
        string time = FormatTime(_time.GetUtcNow().UtcDateTime);
        string line = _settings.Json
            ? JsonLine(level, time, message, exception)
            : time + "\t" + LevelName(level) + "\t" + message + (exception is null ? "" : "\n" + exception);

        lock (_lock)
        {
            _writer.Write(line);
            _writer.Write('\n');
            _writer.Flush();
        }
    }

    private static string JsonLine(LogLevel level, string time, string message, Exception? exception)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("level", LevelName(level));
            json.WriteString("time", time);
            json.WriteString("scope", "default");
            json.WriteString("msg", message);
            if (exception is not null)
            {
                json.WriteString("error", exception.ToString());
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// <c>yyyy-MM-ddTHH:mm:ss.ffffffZ</c>, written digit by digit: DateTime's custom-format path is left to the JIT by
    /// ReadyToRun (nine method compilations on the first log line of a process that lives for milliseconds).
    /// </summary>
    internal static string FormatTime(DateTime utc)
    {
        Span<char> text = stackalloc char[27];
        Digits(text[..4], utc.Year);
        text[4] = '-';
        Digits(text.Slice(5, 2), utc.Month);
        text[7] = '-';
        Digits(text.Slice(8, 2), utc.Day);
        text[10] = 'T';
        Digits(text.Slice(11, 2), utc.Hour);
        text[13] = ':';
        Digits(text.Slice(14, 2), utc.Minute);
        text[16] = ':';
        Digits(text.Slice(17, 2), utc.Second);
        text[19] = '.';
        Digits(text.Slice(20, 6), (int)(utc.Ticks % TimeSpan.TicksPerSecond / 10));
        text[26] = 'Z';
        return new string(text);

        static void Digits(Span<char> field, int value)
        {
            for (int i = field.Length - 1; i >= 0; i--)
            {
                field[i] = (char)('0' + (value % 10));
                value /= 10;
            }
        }
    }

    private sealed class Logger(StderrLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider._settings.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, formatter(state, exception), exception);
            }
        }
    }
}
