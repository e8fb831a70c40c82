using System.Globalization;
using System.Net;
using Capture.Init.Rules;
using Capture.Init.Values;

namespace Capture.Init.Iptables;

internal static partial class IptablesSaveParser
{
    private static Rule ParseRule(Table table, string chain, List<string> tokens, int start, StateBuilder builder)
    {
        var matches = new List<Match>(8);
        string? protocol = null;
        int i = start;
        while (i < tokens.Count)
        {
            int groupStart = i;
            bool negated = tokens[i] == "!";
            if (negated)
            {
                i++;
                if (i == tokens.Count)
                {
                    throw new FormatException("'!' at the end of the rule");
                }
            }

            string option = tokens[i];
            switch (option)
            {
                case "-p" or "--protocol":
                    protocol = Value(tokens, i);
                    matches.Add(negated ? new UnknownMatch(["!", "-p", protocol]) : new ProtocolMatch(protocol));
                    i += 2;
                    break;
                case "-s" or "--source":
                    matches.Add(new SourceMatch(Network(Value(tokens, i)), negated));
                    i += 2;
                    break;
                case "-d" or "--destination":
                    matches.Add(new DestinationMatch(Network(Value(tokens, i)), negated));
                    i += 2;
                    break;
                case "-i" or "--in-interface":
                    matches.Add(new InInterfaceMatch(Value(tokens, i), negated));
                    i += 2;
                    break;
                case "-o" or "--out-interface":
                    matches.Add(new OutInterfaceMatch(Value(tokens, i), negated));
                    i += 2;
                    break;
                case "-f" or "--fragment":
                    matches.Add(new UnknownMatch(tokens.GetRange(groupStart, i + 1 - groupStart)));
                    i++;
                    break;
                case "-c" or "--set-counters":
                    i += 3;
                    break;
                case "-m" or "--match":
                {
                    if (negated)
                    {
                        throw new FormatException("'!' before -m");
                    }

                    string module = Value(tokens, i);
                    int end = GroupEnd(tokens, i + 2);
                    ParseModule(module, tokens.GetRange(i + 2, end - i - 2), explicitModule: true, matches);
                    i = end;
                    break;
                }

                case "-j" or "--jump":
                {
                    string name = Value(tokens, i);
                    Target target = ParseTarget(table, name, tokens.GetRange(i + 2, tokens.Count - i - 2), builder);
                    return new Rule(table, chain, matches, target);
                }

                case "-g" or "--goto":
                    return new Rule(table, chain, matches, new UnknownTarget(tokens.GetRange(i, tokens.Count - i)));
                default:
                    if (!option.StartsWith("--", StringComparison.Ordinal) || protocol is null)
                    {
                        throw new FormatException($"unsupported option '{option}'");
                    }

                    // "--dport 15008" right after "-p tcp": the protocol's module, loaded implicitly (restore payloads).
                    int groupEnd = GroupEnd(tokens, groupStart);
                    ParseModule(protocol, tokens.GetRange(groupStart, groupEnd - groupStart), explicitModule: false, matches);
                    i = groupEnd;
                    break;
            }
        }

        // A rule without -j only counts packets.
        return new Rule(table, chain, matches, new UnknownTarget([]));
    }

    private static string Value(List<string> tokens, int optionIndex) =>
        optionIndex + 1 < tokens.Count ? tokens[optionIndex + 1] : throw new FormatException($"'{tokens[optionIndex]}' needs a value");

    private static IPNetwork Network(string text) =>
        CidrText.TryParse(text, out IPNetwork network, allowBareAddress: true) ? network : throw new FormatException($"bad address '{text}'");

    private static bool IsBoundary(string token) => token is "-m" or "--match" or "-j" or "--jump" or "-g" or "--goto"
        or "-p" or "--protocol" or "-s" or "--source" or "-d" or "--destination" or "-i" or "--in-interface"
        or "-o" or "--out-interface" or "-f" or "--fragment" or "-c" or "--set-counters";

    // The end (exclusive) of a module's options: the next -m, -j or base match (possibly negated).
    private static int GroupEnd(List<string> tokens, int from)
    {
        int j = from;
        while (j < tokens.Count)
        {
            string token = tokens[j];
            if (IsBoundary(token) || (token == "!" && j + 1 < tokens.Count && IsBoundary(tokens[j + 1])))
            {
                break;
            }

            j++;
        }

        return j;
    }

    private static void ParseModule(string module, List<string> options, bool explicitModule, List<Match> matches)
    {
        var parsed = new List<Match>(2);
        if (TryParseModule(module, options, parsed))
        {
            matches.AddRange(parsed);
            return;
        }

        var tokens = new List<string>(options.Count + 2);
        if (explicitModule)
        {
            tokens.Add("-m");
            tokens.Add(module);
        }

        tokens.AddRange(options);
        matches.Add(new UnknownMatch(tokens));
    }

    private static bool TryParseModule(string module, List<string> options, List<Match> parsed)
    {
        int i = 0;
        while (i < options.Count)
        {
            bool negated = options[i] == "!";
            if (negated)
            {
                i++;
            }

            if (i + 1 >= options.Count)
            {
                return false;
            }

            string option = options[i];
            string value = options[i + 1];
            i += 2;
            Match? match = (module, option) switch
            {
                ("tcp" or "udp", "--dport" or "--destination-port") => Port(value) is int port ? new DestinationPortMatch(port, negated) : null,
                ("tcp" or "udp", "--sport" or "--source-port") => Port(value) is int port ? new SourcePortMatch(port, negated) : null,
                ("multiport", "--dports" or "--destination-ports") => Ports(value) is { } ports ? new MultiportDestinationMatch(ports, negated) : null,
                ("owner", "--uid-owner") => new OwnerMatch(OwnerKind.Uid, value, negated),
                ("owner", "--gid-owner") => new OwnerMatch(OwnerKind.Gid, value, negated),
                ("conntrack", "--ctstate") => ConntrackStateMatch.TryParseStates(value, out ConntrackStates states) ? new ConntrackStateMatch(states, negated) : null,
                ("mark", "--mark") => MarkText.TryParseWithMask(value, out uint mark, out uint mask) ? new MarkMatch(mark, negated, mask) : null,
                ("connmark", "--mark") => MarkText.TryParseWithMask(value, out uint mark, out uint mask) ? new ConnmarkMatch(mark, negated, mask) : null,
                _ => null,
            };
            if (match is null)
            {
                return false;
            }

            parsed.Add(match);
        }

        // "-m tcp" with no options adds nothing (save writes it for "-p tcp --dport"); other modules must say something.
        return parsed.Count > 0 || module is "tcp" or "udp";
    }

    private static int? Port(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 0 and <= 65535 ? port : null;

    private static int[]? Ports(string text)
    {
        string[] parts = text.Split(',');
        int[] ports = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (Port(parts[i]) is not int port)
            {
                return null;
            }

            ports[i] = port;
        }

        return ports;
    }
}
