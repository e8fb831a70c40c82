using Microsoft.Extensions.Logging;

namespace Capture.Init.Logging;

/// <summary>Logging as istio-iptables' flags ask: <c>--log_output_level</c> and <c>--log_as_json</c>.</summary>
internal readonly record struct LogSettings(LogLevel MinimumLevel, bool Json)
{
    /// <summary>Information, plain text: istio-iptables' defaults.</summary>
    public static LogSettings Default { get; } = new(LogLevel.Information, Json: false);

    /// <summary>
    /// Reads Istio's level syntax: <c>info</c>, <c>default:debug</c> or <c>default:info,ads:debug</c> (the <c>default</c>
    /// scope, or a bare level, applies; other scopes are accepted and ignored since capture-init has one scope).
    /// </summary>
    public static bool TryParseLevel(string text, out LogLevel level)
    {
        level = LogLevel.Information;
        foreach (string item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = item.IndexOf(':', StringComparison.Ordinal);
            string scope = colon < 0 ? "default" : item[..colon];
            string name = colon < 0 ? item : item[(colon + 1)..];
            LogLevel? parsed = name switch
            {
                "debug" => LogLevel.Debug,
                "info" => LogLevel.Information,
                "warn" => LogLevel.Warning,
                "error" => LogLevel.Error,
                "fatal" => LogLevel.Critical,
                "none" => LogLevel.None,
                _ => null,
            };
            if (parsed is null || scope.Length == 0)
            {
                return false;
            }

            if (scope is "default" or "all")
            {
                level = parsed.Value;
            }
        }

        return true;
    }
}
