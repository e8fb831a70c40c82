using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Logging;

/// <summary>The diagnostic log level, changeable at run time (<c>POST /logging?level=debug</c>) without a restart.</summary>
internal sealed class LogLevelSwitch(LogLevel initial)
{
    private int _level = (int)initial;

    public LogLevel Level
    {
        get => (LogLevel)Volatile.Read(ref _level);
        set => Volatile.Write(ref _level, (int)value);
    }
}
