using System.Globalization;
using System.Net;
using System.Net.Sockets;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Capture.Proxy.Workloads;

/// <summary>Node readers: each names the entry and field of a value that does not fit.</summary>
internal sealed partial class LocalConfigParser
{
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private YamlMappingNode Mapping(YamlNode node, string where, string field) =>
        node as YamlMappingNode ?? throw Error(where, field, node, $"expected a mapping (key: value lines), found {Describe(node)}");

    private YamlSequenceNode Sequence(YamlNode node, string where, string field) =>
        node as YamlSequenceNode ?? throw Error(where, field, node, $"expected a list, found {Describe(node)}");

    private string Key(YamlNode node, string where) =>
        node is YamlScalarNode { Value: { Length: > 0 } key } ? key : throw Error(where, "", node, "every key must be a plain word");

    private string String(YamlNode node, string where, string field)
    {
        if (node is YamlScalarNode scalar && !IsNull(node))
        {
            return scalar.Value ?? "";
        }

        throw Error(where, field, node, $"expected text, found {Describe(node)}");
    }

    private string RequiredString(YamlNode node, string where, string field)
    {
        string value = String(node, where, field);
        return value.Length > 0 ? value : throw Error(where, field, node, "must not be empty");
    }

    private bool Bool(YamlNode node, string where, string field)
    {
        string value = String(node, where, field);
        return value switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => throw Error(where, field, node, $"\"{value}\" is not true or false"),
        };
    }

    private int Port(YamlNode node, string where, string field, bool allowZero = false)
    {
        string value = String(node, where, field);
        int lowest = allowZero ? 0 : 1;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port >= lowest && port <= IPEndPoint.MaxPort)
        {
            return port;
        }

        throw Error(where, field, node, $"\"{value}\" is not a port number ({lowest} to {IPEndPoint.MaxPort})");
    }

    private IPAddress Address(YamlNode node, string where, string field) => Address(String(node, where, field), node, where, field);

    private IPAddress Address(string value, YamlNode node, string where, string field) =>
        TryParseAddress(value, out IPAddress? address) ? address : throw Error(where, field, node, $"\"{value}\" is not an IPv4 or IPv6 address");

    /// <summary>A CIDR such as <c>10.0.0.0/8</c>; a bare address is a host (/32 or /128), as ztunnel reads it.</summary>
    private IPNetwork Network(YamlNode node, string where, string field)
    {
        string value = String(node, where, field);
        int slash = value.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash < 0 ? value : value[..slash];
        if (!TryParseAddress(addressText, out IPAddress? address))
        {
            throw Error(where, field, node, $"\"{value}\" is not an address or CIDR (such as 10.0.0.0/8 or fd00::/8)");
        }

        int maximum = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = maximum;
        if (slash >= 0 && (!int.TryParse(value.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > maximum))
        {
            throw Error(where, field, node, $"\"{value}\" has a bad prefix length (0 to {maximum})");
        }

        // Strict where ztunnel would quietly mask: 10.0.0.1/8 is more likely a typo for /32 than a wish for 10.0.0.0/8.
        IPNetwork network = IPNetwork.Parse(address + "/" + prefix.ToString(CultureInfo.InvariantCulture));
        return network.BaseAddress.Equals(address)
            ? network
            : throw Error(where, field, node, $"\"{value}\" has bits set past its prefix length (the network is {network})");
    }

    private List<string> StringList(YamlNode node, string where, string field)
    {
        List<string> values = [];
        if (!IsNull(node))
        {
            foreach (YamlNode item in Sequence(node, where, field).Children)
            {
                values.Add(RequiredString(item, where, field));
            }
        }

        return values;
    }

    private Dictionary<int, int> PortMap(YamlNode node, string where, string field)
    {
        Dictionary<int, int> ports = [];
        if (IsNull(node))
        {
            return ports;
        }

        foreach (KeyValuePair<YamlNode, YamlNode> pair in Mapping(node, where, field).Children)
        {
            // ztunnel allows target port 0 ("same as the service port"); it is resolved here once.
            int port = Port(pair.Key, where, field);
            int target = Port(pair.Value, where, field, allowZero: true);
            ports[port] = target == 0 ? port : target;
        }

        return ports;
    }

    /// <summary>
    /// Strict: four dotted decimals (no leading zeros, which some parsers read as octal) or an IPv6 address without a zone. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
    /// alone would also take "10" (as 0.0.0.10) or "0x0a000001".
    /// </summary>
    private static bool TryParseAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return !text.Contains('%', StringComparison.Ordinal) && IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        string[] parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (string part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }
        }

        return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetwork;
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode when IsNull(node) => "nothing",
        YamlScalarNode scalar => $"\"{scalar.Value}\"",
        _ => "something else",
    };
}
