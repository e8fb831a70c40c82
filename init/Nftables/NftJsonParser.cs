using System.Globalization;
using System.Net;
using System.Text.Json;
using Capture.Init.Rules;
using Capture.Init.Values;

namespace Capture.Init.Nftables;

/// <summary>
/// Reads <c>nft -j list ruleset</c> / <c>nft -j list table inet …</c> into the same structured rules the plan is made
/// of (<see cref="NftState"/>), for the state check, <c>diff</c> and <c>--reconcile</c>. Only Istio's <c>inet</c>
/// tables are read as rules; the names of other tables' chains are kept (<see cref="NftLiveRuleset.ForeignChains"/>),
/// which is how iptables-nft rules of an earlier iptables run show up. An expression the plan never writes becomes an
/// unknown statement carrying its JSON, so it can never equal a planned rule.
/// </summary>
internal static class NftJsonParser
{
    /// <summary>Parses the listing. Throws <see cref="FormatException"/> for text that is not nft's JSON.</summary>
    public static NftLiveRuleset Parse(string json)
    {
        NftListing? listing;
        try
        {
            listing = JsonSerializer.Deserialize(json, NftJsonContext.Default.NftListing);
        }
        catch (JsonException exception)
        {
            throw new FormatException("not nft's JSON output: " + exception.Message, exception);
        }

        if (listing?.Items is not { } items)
        {
            throw new FormatException("not nft's JSON output: no \"nftables\" array");
        }

        var tables = new List<Table>(3);
        var chainNames = new List<(Table Table, string Name)>();
        var rules = new List<NftRule>();
        var foreign = new List<string>();
        foreach (JsonElement item in items)
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            if (item.TryGetProperty("table", out JsonElement table))
            {
                if (Ours(table, "name", out Table parsed))
                {
                    tables.Add(parsed);
                }
            }
            else if (item.TryGetProperty("chain", out JsonElement chain))
            {
                if (Ours(chain, "table", out Table parsed))
                {
                    chainNames.Add((parsed, Text(chain, "name")));
                }
                else
                {
                    foreign.Add($"{Text(chain, "family")} {Text(chain, "table")} {Text(chain, "name")}");
                }
            }
            else if (item.TryGetProperty("rule", out JsonElement rule) && Ours(rule, "table", out Table ruleTable))
            {
                rules.Add(ParseRule(ruleTable, rule));
            }
        }

        return new NftLiveRuleset(BuildState(tables, chainNames, rules), foreign);
    }

    private static NftState BuildState(List<Table> tables, List<(Table Table, string Name)> chainNames, List<NftRule> rules)
    {
        var ordered = new List<Table>(3);
        foreach (Table table in NftTables.All)
        {
            if (tables.Contains(table))
            {
                ordered.Add(table);
            }
        }

        var chains = new List<NftChainState>(chainNames.Count);
        foreach ((Table table, string name) in chainNames)
        {
            var chainRules = new List<NftRule>();
            foreach (NftRule rule in rules)
            {
                if (rule.Table == table && rule.Chain == name)
                {
                    chainRules.Add(rule);
                }
            }

            chains.Add(new NftChainState(table, name, chainRules));
        }

        return new NftState(ordered, chains);
    }

    private static bool Ours(JsonElement element, string tableProperty, out Table table)
    {
        table = default;
        if (Text(element, "family") != "inet")
        {
            return false;
        }

        switch (Text(element, tableProperty))
        {
            case "istio-proxy-nat": table = Table.Nat; return true;
            case "istio-proxy-mangle": table = Table.Mangle; return true;
            case "istio-proxy-raw": table = Table.Raw; return true;
            default: return false;
        }
    }

    private static NftRule ParseRule(Table table, JsonElement rule)
    {
        string chain = Text(rule, "chain");
        var matches = new List<NftMatch>();
        var statements = new List<NftStatement>();
        if (rule.TryGetProperty("expr", out JsonElement expressions) && expressions.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement expression in expressions.EnumerateArray())
            {
                if (expression.TryGetProperty("match", out JsonElement match) && ParseMatch(match) is { } parsed)
                {
                    matches.Add(parsed);
                }
                else
                {
                    statements.Add(ParseStatement(expression));
                }
            }
        }

        return new NftRule(table, chain, matches, statements);
    }

    private static NftMatch? ParseMatch(JsonElement match)
    {
        string op = Text(match, "op");
        if (!match.TryGetProperty("left", out JsonElement left) || !match.TryGetProperty("right", out JsonElement right)
            || Field(left) is not { } field)
        {
            return null;
        }

        bool negated;
        switch (op)
        {
            case "==":
            case "in" when field == NftField.CtState:
                negated = false;
                break;
            case "!=":
                negated = true;
                break;
            default:
                return null;
        }

        return Value(field, right) is { } value ? new NftMatch(field, value, negated) : null;
    }

    private static NftField? Field(JsonElement left)
    {
        if (left.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (left.TryGetProperty("meta", out JsonElement meta))
        {
            return Text(meta, "key") switch
            {
                "iifname" => NftField.IifName,
                "oifname" => NftField.OifName,
                "l4proto" => NftField.L4Proto,
                "skuid" => NftField.SkUid,
                "skgid" => NftField.SkGid,
                "mark" => NftField.Mark,
                _ => null,
            };
        }

        if (left.TryGetProperty("ct", out JsonElement ct))
        {
            return Text(ct, "key") switch
            {
                "state" => NftField.CtState,
                "mark" => NftField.CtMark,
                _ => null,
            };
        }

        if (left.TryGetProperty("payload", out JsonElement payload))
        {
            return (Text(payload, "protocol"), Text(payload, "field")) switch
            {
                ("ip", "saddr") => NftField.IpSaddr,
                ("ip", "daddr") => NftField.IpDaddr,
                ("ip6", "saddr") => NftField.Ip6Saddr,
                ("ip6", "daddr") => NftField.Ip6Daddr,
                ("tcp", "dport") => NftField.TcpDport,
                ("tcp", "sport") => NftField.TcpSport,
                ("udp", "dport") => NftField.UdpDport,
                ("udp", "sport") => NftField.UdpSport,
                _ => null,
            };
        }

        return null;
    }

    private static NftValue? Value(NftField field, JsonElement right)
    {
        switch (field)
        {
            case NftField.IpSaddr or NftField.IpDaddr or NftField.Ip6Saddr or NftField.Ip6Daddr:
                return Network(right);
            case NftField.CtState:
                return right.ValueKind switch
                {
                    JsonValueKind.String => NftValues.CtStates(right.GetString()!),
                    JsonValueKind.Array => NftValues.CtStates(string.Join(',', right.EnumerateArray().Select(s => s.ToString()))),
                    _ => null,
                };
            case NftField.TcpDport or NftField.TcpSport or NftField.UdpDport or NftField.UdpSport
                when right.ValueKind == JsonValueKind.Object && right.TryGetProperty("set", out JsonElement set):
                var ports = new List<int>();
                foreach (JsonElement port in set.EnumerateArray())
                {
                    if (!port.TryGetInt32(out int number))
                    {
                        return null;
                    }

                    ports.Add(number);
                }

                return NftValues.PortSet(ports);
            default:
                // Names, protocols, ports, ids and marks: a string or a number; the key is its text (numbers in decimal).
                return right.ValueKind switch
                {
                    JsonValueKind.String => NftValues.Name(right.GetString()!),
                    JsonValueKind.Number => NftValues.Name(right.GetRawText()),
                    _ => null,
                };
        }
    }

    private static NftValue? Network(JsonElement right)
    {
        string? text;
        int? prefix = null;
        if (right.ValueKind == JsonValueKind.String)
        {
            text = right.GetString();
        }
        else if (right.ValueKind == JsonValueKind.Object && right.TryGetProperty("prefix", out JsonElement network)
            && network.TryGetProperty("len", out JsonElement length) && length.TryGetInt32(out int len))
        {
            text = Text(network, "addr");
            prefix = len;
        }
        else
        {
            return null;
        }

        if (text is null || !IpText.TryParseAddress(text, out IPAddress address))
        {
            return null;
        }

        int full = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
        var cidr = IpText.Network(address, prefix ?? full);
        string shown = prefix is { } p ? text + "/" + p.ToString(CultureInfo.InvariantCulture) : text;
        return NftValues.Network(shown, cidr);
    }

    private static NftStatement ParseStatement(JsonElement expression)
    {
        if (expression.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in expression.EnumerateObject())
            {
                JsonElement value = property.Value;
                NftStatement? statement = property.Name switch
                {
                    "counter" => NftStatement.Counter,
                    "return" => NftStatement.Return,
                    "accept" => NftStatement.Accept,
                    "drop" => NftStatement.Drop,
                    "jump" => NftStatement.Jump(Text(value, "target")),
                    "redirect" when Number(value, "port") is { } port => NftStatement.Redirect((int)port),
                    "tproxy" when Number(value, "port") is { } port => NftStatement.TProxy(Text(value, "family"), (int)port),
                    "mangle" => Mangle(value),
                    _ => null,
                };
                if (statement is not null)
                {
                    return statement;
                }
            }
        }

        return new NftStatement(NftStatementKind.Unknown, Name: expression.GetRawText());
    }

    // "mangle" is nft's JSON for "KEY set VALUE": meta mark set N, ct mark set mark, meta mark set ct mark, ct zone set N.
    private static NftStatement? Mangle(JsonElement mangle)
    {
        if (!mangle.TryGetProperty("key", out JsonElement key) || !mangle.TryGetProperty("value", out JsonElement value))
        {
            return null;
        }

        string target = key.TryGetProperty("meta", out JsonElement meta) ? "meta " + Text(meta, "key")
            : key.TryGetProperty("ct", out JsonElement ct) ? "ct " + Text(ct, "key") : "";
        string source = value.ValueKind == JsonValueKind.Number ? "number"
            : value.ValueKind == JsonValueKind.Object && value.TryGetProperty("meta", out JsonElement fromMeta) ? "meta " + Text(fromMeta, "key")
            : value.ValueKind == JsonValueKind.Object && value.TryGetProperty("ct", out JsonElement fromCt) ? "ct " + Text(fromCt, "key") : "";
        return (target, source) switch
        {
            ("meta mark", "number") when value.TryGetUInt32(out uint mark) => NftStatement.SetMark(mark),
            ("ct zone", "number") when value.TryGetInt32(out int zone) => NftStatement.SetCtZone(zone),
            ("ct mark", "meta mark") => NftStatement.SetCtMarkFromMark,
            ("meta mark", "ct mark") => NftStatement.SetMarkFromCtMark,
            _ => null,
        };
    }

    private static string Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : "";

    private static long? Number(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out JsonElement value) && value.TryGetInt64(out long number)
            ? number
            : null;
}
