using System.Globalization;
using Capture.Init.Rules;

namespace Capture.Init.Iptables;

/// <summary>
/// Reads <c>iptables-save</c> output (nft and legacy alike) or an <c>iptables-restore</c> payload into an
/// <see cref="IptablesState"/> of typed rules, so live rules compare with a plan. It undoes what save changes: implicit
/// <c>-m tcp</c>/<c>-m udp</c>, base matches moved to the front, hex marks, <c>--set-xmark</c>, default masks, TPROXY's
/// <c>--on-ip 0.0.0.0</c>. Rules or modules capture-init never writes are kept as <see cref="UnknownMatch"/> /
/// <see cref="UnknownTarget"/> (never an error), and tables it does not use (security) are skipped.
/// </summary>
internal static partial class IptablesSaveParser
{
    /// <summary>Parses the whole text. Throws <see cref="FormatException"/> (with the line number) on broken structure.</summary>
    public static IptablesState Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StateBuilder();
        Table? table = null;
        bool skipping = false;
        int lineNumber = 0;
        foreach (string rawLine in text.Split('\n'))
        {
            lineNumber++;
            string line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            try
            {
                if (line[0] == '*')
                {
                    string name = line[1..].Trim();
                    skipping = !TableNames.TryParse(name, out Table parsed);
                    table = skipping ? null : parsed;
                    continue;
                }

                if (line == "COMMIT")
                {
                    table = null;
                    skipping = false;
                    continue;
                }

                if (skipping)
                {
                    continue;
                }

                if (table is not { } current)
                {
                    throw new FormatException("rule or chain outside a table ('*nat' … 'COMMIT')");
                }

                if (line[0] == ':')
                {
                    // ":ISTIO_INBOUND - [0:0]" or ":PREROUTING ACCEPT [0:0]"
                    List<string> parts = Tokenize(line[1..]);
                    builder.Declare(current, parts[0], parts.Count > 1 && parts[1] != "-" ? parts[1] : null);
                    continue;
                }

                List<string> tokens = Tokenize(line);
                if (tokens.Count > 0 && tokens[0].StartsWith('['))
                {
                    tokens.RemoveAt(0); // "[packets:bytes]" from iptables-save -c
                }

                ParseCommand(builder, current, tokens);
            }
            catch (FormatException exception)
            {
                throw new FormatException($"line {lineNumber}: {exception.Message}: {line}", exception);
            }
        }

        return builder.Build();
    }

    private static void ParseCommand(StateBuilder builder, Table table, List<string> tokens)
    {
        if (tokens.Count < 2)
        {
            throw new FormatException("incomplete command");
        }

        string command = tokens[0];
        string chain = tokens[1];
        switch (command)
        {
            case "-N" or "--new-chain":
                builder.Declare(table, chain, null);
                return;
            case "-A" or "--append":
                builder.Add(ParseRule(table, chain, tokens, 2, builder), null);
                return;
            case "-I" or "--insert":
                int start = 2;
                int position = 1;
                if (tokens.Count > 2 && int.TryParse(tokens[2], NumberStyles.None, CultureInfo.InvariantCulture, out int given))
                {
                    position = given;
                    start = 3;
                }

                builder.Add(ParseRule(table, chain, tokens, start, builder), position);
                return;
            default:
                throw new FormatException($"unsupported command '{command}'");
        }
    }

    /// <summary>Splits on blanks; double quotes group (iptables-save quotes comments), <c>\"</c> escapes a quote.</summary>
    internal static List<string> Tokenize(string line)
    {
        var tokens = new List<string>(24);
        var current = new System.Text.StringBuilder();
        bool inQuotes = false;
        bool hasToken = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (inQuotes)
            {
                if (c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
                {
                    current.Append(line[++i]);
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                inQuotes = true;
                hasToken = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (hasToken)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    hasToken = false;
                }
            }
            else
            {
                current.Append(c);
                hasToken = true;
            }
        }

        if (inQuotes)
        {
            throw new FormatException("unterminated quote");
        }

        if (hasToken)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }
}
