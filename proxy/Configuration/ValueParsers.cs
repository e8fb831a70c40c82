using System.Globalization;
using System.Net;
using Capture.Proxy.Contracts;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Configuration;

/// <summary>
/// Parsers shared by flags and environment variables, so <c>--idle-timeout 90s</c> and <c>CAPTURE_PROXY_IDLE_TIMEOUT=90s</c>
/// mean the same thing. Each returns false with a reason that completes "… is not valid: ".
/// </summary>
internal static class ValueParsers
{
    public static bool TryParseInt(string text, out int value, out string? error)
    {
        error = int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value) ? null : "expected a whole number";
        return error is null;
    }

    public static bool TryParseUInt(string text, out uint value, out string? error)
    {
        string trimmed = text.Trim();
        bool parsed = trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(trimmed.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : uint.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        error = parsed ? null : "expected a whole number from 0 to 4294967295 (decimal or 0x hex)";
        return parsed;
    }

    /// <summary>
    /// Durations the way Istio and Kubernetes write them (<c>500ms</c>, <c>10s</c>, <c>5m</c>, <c>1h</c>, <c>1m30s</c>);
    /// a bare number is seconds.
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = "expected a duration such as 500ms, 10s, 5m or 1h (a bare number is seconds)";
        ReadOnlySpan<char> rest = text.AsSpan().Trim();
        if (rest.IsEmpty)
        {
            return false;
        }

        if (double.TryParse(rest, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double bareSeconds))
        {
            return TryFromSeconds(bareSeconds, ref value, ref error);
        }

        double totalSeconds = 0;
        while (!rest.IsEmpty)
        {
            int numberLength = 0;
            while (numberLength < rest.Length && (char.IsAsciiDigit(rest[numberLength]) || rest[numberLength] == '.'))
            {
                numberLength++;
            }

            int unitLength = 0;
            while (numberLength + unitLength < rest.Length && char.IsAsciiLetter(rest[numberLength + unitLength]))
            {
                unitLength++;
            }

            if (numberLength == 0 || unitLength == 0
                || !double.TryParse(rest[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            {
                return false;
            }

            double unitSeconds = rest.Slice(numberLength, unitLength) switch
            {
                "ms" => 0.001,
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                _ => double.NaN,
            };
            if (double.IsNaN(unitSeconds))
            {
                return false;
            }

            totalSeconds += number * unitSeconds;
            rest = rest[(numberLength + unitLength)..];
        }

        return TryFromSeconds(totalSeconds, ref value, ref error);
    }

    /// <summary>Byte counts: a bare number, or with a binary suffix <c>K</c>/<c>Ki</c>/<c>KiB</c>, <c>M</c>/<c>Mi</c>/<c>MiB</c>.</summary>
    public static bool TryParseByteSize(string text, out int value, out string? error)
    {
        value = 0;
        error = "expected a size in bytes such as 65536, 64Ki or 1Mi";
        string trimmed = text.Trim();
        int digits = 0;
        while (digits < trimmed.Length && char.IsAsciiDigit(trimmed[digits]))
        {
            digits++;
        }

        long multiplier = trimmed[digits..].ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KI" or "KIB" or "KB" => 1024,
            "M" or "MI" or "MIB" or "MB" => 1024 * 1024,
            _ => 0,
        };
        if (digits == 0 || multiplier == 0
            || !long.TryParse(trimmed.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out long number)
            || number * multiplier > int.MaxValue)
        {
            return false;
        }

        value = (int)(number * multiplier);
        error = null;
        return true;
    }

    public static bool TryParseMode(string text, out InboundMode value, out string? error)
    {
        (value, error) = text.Trim().ToUpperInvariant() switch
        {
            "REDIRECT" => (InboundMode.Redirect, null),
            "TPROXY" => (InboundMode.Tproxy, (string?)null),
            _ => (InboundMode.Redirect, "expected REDIRECT or TPROXY"),
        };
        return error is null;
    }

    /// <summary>Log levels by .NET name (<c>Debug</c>) or Envoy/Istio name (<c>debug</c>, <c>warn</c>, <c>off</c>), any case.</summary>
    public static bool TryParseLogLevel(string text, out LogLevel value, out string? error)
    {
        (value, error) = text.Trim().ToLowerInvariant() switch
        {
            "trace" => (LogLevel.Trace, null),
            "debug" => (LogLevel.Debug, null),
            "info" or "information" => (LogLevel.Information, null),
            "warn" or "warning" => (LogLevel.Warning, null),
            "error" => (LogLevel.Error, null),
            "critical" => (LogLevel.Critical, null),
            "off" or "none" => (LogLevel.None, (string?)null),
            _ => (LogLevel.Information, "expected trace, debug, info, warn, error, critical or off"),
        };
        return error is null;
    }

    /// <summary>An <c>address:port</c> (IPv6 in brackets, <c>[::1]:15000</c>), or a bare port on 127.0.0.1.</summary>
    public static bool TryParseEndpoint(string text, out IPEndPoint value, out string? error)
    {
        string trimmed = text.Trim();
        value = new IPEndPoint(IPAddress.Loopback, 0);
        if (int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            value = new IPEndPoint(IPAddress.Loopback, port);
            error = null;
            return true;
        }

        // IPEndPoint.TryParse accepts a port outside 0..65535 as part of an IPv6 address; the validator reports ranges.
        if (trimmed.Contains(':', StringComparison.Ordinal) && IPEndPoint.TryParse(trimmed, out IPEndPoint? parsed)
            && (trimmed.StartsWith('[') || trimmed.Count(c => c == ':') == 1))
        {
            value = parsed;
            error = null;
            return true;
        }

        error = "expected address:port, such as 127.0.0.1:15000 or [::1]:15000";
        return false;
    }

    public static bool TryParseBool(string text, out bool value, out string? error)
    {
        (value, error) = text.Trim().ToLowerInvariant() switch
        {
            "1" or "true" or "yes" or "on" => (true, null),
            "0" or "false" or "no" or "off" => (false, (string?)null),
            _ => (false, "expected true or false"),
        };
        return error is null;
    }

    private static bool TryFromSeconds(double seconds, ref TimeSpan value, ref string? error)
    {
        // TimeSpan holds about 29,000 years; anything near that is a typo, and FromSeconds would throw.
        if (double.IsFinite(seconds) && seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
        {
            value = TimeSpan.FromSeconds(seconds);
            error = null;
            return true;
        }

        return false;
    }

    /// <summary>A duration the way <see cref="TryParseDuration"/> reads it back, in the largest whole unit: 1h, 10s, 500ms.</summary>
    public static string FormatDuration(TimeSpan value) => value switch
    {
        { Ticks: 0 } => "0",
        _ when value.Ticks % TimeSpan.TicksPerHour == 0 => $"{value.Ticks / TimeSpan.TicksPerHour}h",
        _ when value.Ticks % TimeSpan.TicksPerMinute == 0 => $"{value.Ticks / TimeSpan.TicksPerMinute}m",
        _ when value.Ticks % TimeSpan.TicksPerSecond == 0 => $"{value.Ticks / TimeSpan.TicksPerSecond}s",
        _ => $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms",
    };

    /// <summary>A byte size the way <see cref="TryParseByteSize"/> reads it back: 1Mi, 512Ki, 1000.</summary>
    public static string FormatByteSize(int value) => value switch
    {
        0 => "0",
        _ when value % (1024 * 1024) == 0 => $"{value / (1024 * 1024)}Mi",
        _ when value % 1024 == 0 => $"{value / 1024}Ki",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    public static string FormatMode(InboundMode mode) => mode == InboundMode.Tproxy ? "TPROXY" : "REDIRECT";

    public static string FormatLogLevel(LogLevel level) => level switch
    {
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.None => "off",
        _ => level.ToString().ToLowerInvariant(),
    };
}
