using System.Globalization;

namespace Capture.Init.Configuration;

/// <summary>
/// Which policy-routing tables TPROXY may use: numbers 1 to 2^32-1 and names from rt_tables, as Istio accepts, except
/// the kernel's own tables. TPROXY puts 'local default dev lo' in its table and clean-up deletes it again: in main
/// (254, also 0, which the kernel reads as main), default (253) or local (255) that replaces or removes the pod's real
/// routes.
/// </summary>
internal static class RouteTables
{
    /// <summary>The rt_tables files iproute2 reads, in its order (Debian's /etc, newer releases' /usr/share), plus their .d directories.</summary>
    private static readonly string[] s_files = ["/etc/iproute2/rt_tables", "/usr/share/iproute2/rt_tables", "/usr/lib/iproute2/rt_tables"];

    /// <summary>The reason <paramref name="table"/> cannot be TPROXY's table, completing "'-r VALUE' …"; null when it can.</summary>
    public static string? Problem(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (table.All(char.IsAsciiDigit))
        {
            if (!uint.TryParse(table, NumberStyles.None, CultureInfo.InvariantCulture, out uint number))
            {
                return "is outside the routing table range 1-4294967295";
            }

            return Reserved(number);
        }

        return table switch
        {
            "main" => Reserved(254),
            "default" => Reserved(253),
            "local" => Reserved(255),
            "unspec" => Reserved(0),
            _ => null,
        };
    }

    /// <summary>
    /// For a table given by name, the number rt_tables gives it (null when no rt_tables file names it); for a number, the number.
    /// </summary>
    public static uint? Resolve(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (uint.TryParse(table, NumberStyles.None, CultureInfo.InvariantCulture, out uint number))
        {
            return number;
        }

        foreach (string file in Files())
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(file);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (string line in lines)
            {
                // "133	istio" (number, whitespace, name; '#' starts a comment).
                string[] words = line.Split('#')[0].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (words.Length >= 2 && words[1] == table && MarkTextNumber(words[0]) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    /// <summary>The reason a number is refused, or null.</summary>
    internal static string? Reserved(uint number) => number switch
    {
        0 => "is the kernel's 'unspec' table, which it reads as main: TPROXY's route would replace the pod's own routes there and clean-up would delete them; use a table of its own (Istio's default is 133)",
        253 => "is the kernel's 'default' table: TPROXY's route would replace routes there and clean-up would delete them; use a table of its own (Istio's default is 133)",
        254 => "is the kernel's 'main' table: TPROXY's route would replace the pod's own routes there and clean-up would delete them; use a table of its own (Istio's default is 133)",
        255 => "is the kernel's 'local' table: TPROXY's route would replace the pod's local routes there and clean-up would delete them; use a table of its own (Istio's default is 133)",
        _ => null,
    };

    private static IEnumerable<string> Files()
    {
        foreach (string file in s_files)
        {
            yield return file;
            string directory = file + ".d";
            if (Directory.Exists(directory))
            {
                foreach (string conf in Directory.EnumerateFiles(directory, "*.conf").Order(StringComparer.Ordinal))
                {
                    yield return conf;
                }
            }
        }
    }

    private static uint? MarkTextNumber(string text)
        => Values.MarkText.TryParse(text, out uint value) ? value : null;
}
