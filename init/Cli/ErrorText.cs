using System.Globalization;
using System.Text;

namespace Capture.Init.Cli;

/// <summary>
/// Keeps an error line readable whatever the input: a quoted value longer than <see cref="LongestQuoted"/> characters
/// (a 100 KB flag value, say) is shown by its start and its length instead of whole. A message of several lines (a drift
/// report, one line per rule) is bounded line by line, so a long report keeps every line that says what differs.
/// </summary>
internal static class ErrorText
{
    /// <summary>Quoted values up to this length are shown whole.</summary>
    public const int LongestQuoted = 200;

    private const int ShownStart = 60;

    /// <summary><paramref name="message"/> with each over-long '…' value replaced by its first characters and its length.</summary>
    public static string Shorten(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Length <= LongestQuoted)
        {
            return message;
        }

        if (!message.Contains('\n', StringComparison.Ordinal))
        {
            return ShortenLine(message);
        }

        string[] lines = message.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            lines[i] = ShortenLine(lines[i]);
        }

        return string.Join('\n', lines);
    }

    private static string ShortenLine(string line)
    {
        if (line.Length <= LongestQuoted)
        {
            return line;
        }

        var text = new StringBuilder(Math.Min(line.Length, 1024));
        int i = 0;
        while (i < line.Length)
        {
            int open = line.IndexOf('\'', i);
            int close = open < 0 ? -1 : line.IndexOf('\'', open + 1);
            if (close < 0)
            {
                text.Append(Cut(line.AsSpan(i)));
                break;
            }

            text.Append(line.AsSpan(i, open - i));
            int length = close - open - 1;
            text.Append('\'');
            if (length > LongestQuoted)
            {
                text.Append(line.AsSpan(open + 1, ShownStart)).Append("…' (").Append(length.ToString(CultureInfo.InvariantCulture)).Append(" characters)");
            }
            else
            {
                text.Append(line.AsSpan(open + 1, length)).Append('\'');
            }

            i = close + 1;
        }

        return text.ToString();
    }

    // Unquoted text after the last quote: bounded too (a value a message did not quote).
    private static string Cut(ReadOnlySpan<char> rest)
        => rest.Length <= 4 * LongestQuoted
            ? rest.ToString()
            : string.Concat(rest[..ShownStart], "… (", rest.Length.ToString(CultureInfo.InvariantCulture), " characters)");
}
