using System.Globalization;
using System.Text;

namespace Capture.Integration.Tests.Manifests;

/// <summary>
/// A small YAML reader for the example manifests (no YAML package is in our registry): one document of block
/// mappings and block sequences, plain/single/double-quoted scalars, and flow sequences/mappings on one line.
/// Mappings become <see cref="Dictionary{TKey, TValue}"/>, sequences <see cref="List{T}"/>, scalars strings.
/// Anything else (anchors, multi-line scalars, several documents) is refused with the line number.
/// </summary>
public static class MiniYaml
{
    public static object? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<(int Indent, string Text, int Number)> lines = [];
        string[] raw = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < raw.Length; i++)
        {
            string content = StripComment(raw[i]).TrimEnd();
            if (content.Trim().Length == 0 || content.Trim() == "---")
            {
                continue;
            }

            int indent = content.Length - content.TrimStart(' ').Length;
            lines.Add((indent, content.Trim(), i + 1));
        }

        int at = 0;
        object? result = lines.Count == 0 ? null : ParseBlock(lines, ref at, lines[0].Indent);
        return at == lines.Count ? result : throw new FormatException($"line {lines[at].Number}: unexpected indentation");
    }

    private static object ParseBlock(List<(int Indent, string Text, int Number)> lines, ref int at, int indent)
    {
        return lines[at].Text.StartsWith("- ", StringComparison.Ordinal) || lines[at].Text == "-"
            ? ParseSequence(lines, ref at, indent)
            : ParseMapping(lines, ref at, indent);
    }

    private static List<object?> ParseSequence(List<(int Indent, string Text, int Number)> lines, ref int at, int indent)
    {
        List<object?> items = [];
        while (at < lines.Count && lines[at].Indent == indent && (lines[at].Text.StartsWith("- ", StringComparison.Ordinal) || lines[at].Text == "-"))
        {
            (int _, string text, int number) = lines[at];
            string rest = text.Length > 1 ? text[2..].TrimStart() : string.Empty;
            if (rest.Length == 0)
            {
                at++;
                items.Add(at < lines.Count && lines[at].Indent > indent ? ParseBlock(lines, ref at, lines[at].Indent) : null);
            }
            else if (IsKeyValue(rest))
            {
                // "- key: value" opens a mapping whose keys sit at the column after "- ".
                int itemIndent = indent + (text.Length - rest.Length);
                lines[at] = (itemIndent, rest, number);
                items.Add(ParseMapping(lines, ref at, itemIndent));
            }
            else
            {
                items.Add(Scalar(rest, number));
                at++;
            }
        }

        return items;
    }

    private static Dictionary<string, object?> ParseMapping(List<(int Indent, string Text, int Number)> lines, ref int at, int indent)
    {
        Dictionary<string, object?> map = new(StringComparer.Ordinal);
        while (at < lines.Count && lines[at].Indent == indent && !lines[at].Text.StartsWith("- ", StringComparison.Ordinal))
        {
            (int _, string text, int number) = lines[at];
            if (!IsKeyValue(text))
            {
                throw new FormatException($"line {number}: expected 'key: value', got '{text}'");
            }

            int colon = KeyEnd(text);
            string key = Unquote(text[..colon].Trim(), number);
            string value = text[(colon + 1)..].Trim();
            at++;
            if (value.Length > 0)
            {
                map[key] = Scalar(value, number);
            }
            else if (at < lines.Count && (lines[at].Indent > indent || (lines[at].Indent == indent && lines[at].Text.StartsWith("- ", StringComparison.Ordinal))))
            {
                map[key] = ParseBlock(lines, ref at, lines[at].Indent);
            }
            else
            {
                map[key] = null;
            }
        }

        return map;
    }

    private static object? Scalar(string text, int number)
    {
        if (text.StartsWith('[') || text.StartsWith('{'))
        {
            int position = 0;
            object? flow = Flow(text, ref position, number);
            return position == text.Length ? flow : throw new FormatException($"line {number}: text after a flow collection");
        }

        if (text.StartsWith('&') || text.StartsWith('*') || text.StartsWith('|') || text.StartsWith('>'))
        {
            throw new FormatException($"line {number}: anchors, aliases and block scalars are not supported");
        }

        return Unquote(text, number);
    }

    private static object? Flow(string text, ref int position, int number)
    {
        SkipSpaces(text, ref position);
        char open = text[position];
        if (open is not ('[' or '{'))
        {
            return FlowScalar(text, ref position, number);
        }

        char close = open == '[' ? ']' : '}';
        position++;
        List<object?> items = [];
        Dictionary<string, object?> map = new(StringComparer.Ordinal);
        while (true)
        {
            SkipSpaces(text, ref position);
            if (position >= text.Length)
            {
                throw new FormatException($"line {number}: unterminated flow collection");
            }

            if (text[position] == close)
            {
                position++;
                return open == '[' ? items : map;
            }

            object? item = Flow(text, ref position, number);
            SkipSpaces(text, ref position);
            if (open == '{')
            {
                if (position >= text.Length || text[position] != ':')
                {
                    throw new FormatException($"line {number}: expected ':' in a flow mapping");
                }

                position++;
                map[(string?)item ?? string.Empty] = Flow(text, ref position, number);
                SkipSpaces(text, ref position);
            }
            else
            {
                items.Add(item);
            }

            if (position < text.Length && text[position] == ',')
            {
                position++;
            }
        }
    }

    private static string FlowScalar(string text, ref int position, int number)
    {
        int start = position;
        if (text[position] is '"' or '\'')
        {
            char quote = text[position];
            position++;
            while (position < text.Length && !(text[position] == quote && text[position - 1] != '\\'))
            {
                position++;
            }

            position++;
            return Unquote(text[start..position], number);
        }

        while (position < text.Length && text[position] is not (',' or ']' or '}') && !(text[position] == ':' && position + 1 < text.Length && text[position + 1] == ' '))
        {
            position++;
        }

        return text[start..position].Trim();
    }

    private static string Unquote(string text, int number)
    {
        if (text.Length >= 2 && text[0] == '\'' && text[^1] == '\'')
        {
            return text[1..^1].Replace("''", "'", StringComparison.Ordinal);
        }

        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            var result = new StringBuilder();
            for (int i = 1; i < text.Length - 1; i++)
            {
                if (text[i] != '\\')
                {
                    result.Append(text[i]);
                    continue;
                }

                i++;
                result.Append(text[i] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    '"' => '"',
                    '\\' => '\\',
                    _ => throw new FormatException($"line {number}: escape \\{text[i]} is not supported"),
                });
            }

            return result.ToString();
        }

        return text;
    }

    private static bool IsKeyValue(string text) => KeyEnd(text) > 0;

    // The colon that ends a key: outside quotes, followed by a space or the end of the line.
    private static int KeyEnd(string text)
    {
        if (text.StartsWith('[') || text.StartsWith('{'))
        {
            return -1;
        }

        char quote = '\0';
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'' && i == 0)
            {
                quote = c;
            }
            else if (c == ':' && (i + 1 == text.Length || text[i + 1] == ' '))
            {
                return i;
            }
        }

        return -1;
    }

    private static string StripComment(string line)
    {
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || line[i - 1] == ' '))
            {
                return line[..i];
            }
        }

        return line;
    }

    private static void SkipSpaces(string text, ref int position)
    {
        while (position < text.Length && text[position] == ' ')
        {
            position++;
        }
    }

    /// <summary>Follows a path of mapping keys and sequence indexes ("spec", "containers", 1, "args").</summary>
    public static object? At(object? node, params object[] path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (object step in path)
        {
            node = (node, step) switch
            {
                (Dictionary<string, object?> map, string key) => map.TryGetValue(key, out object? value) ? value : throw new KeyNotFoundException($"no key '{key}'"),
                (List<object?> list, int index) => index < list.Count ? list[index] : throw new KeyNotFoundException($"no item {index.ToString(CultureInfo.InvariantCulture)}"),
                _ => throw new KeyNotFoundException($"cannot step into {node?.GetType().Name ?? "null"} with '{step}'"),
            };
        }

        return node;
    }
}
