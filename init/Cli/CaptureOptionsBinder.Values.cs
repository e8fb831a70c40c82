using System.Globalization;
using System.Net;
using Capture.Init.Configuration;
using Capture.Init.Rules;
using Capture.Init.Values;

namespace Capture.Init.Cli;

internal sealed partial class CaptureOptionsBinder
{
    // Istio's injector writes lists like "-b 9080," and "-d ''": empty items are ignored, spaces around items too. An
    // item given twice is kept once, where it first appears: two identical rules only cost the kernel time.
    private static string[] Items(string value)
    {
        string[] items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var seen = new HashSet<string>(items.Length, StringComparer.Ordinal);
        var unique = new List<string>(items.Length);
        foreach (string item in items)
        {
            if (seen.Add(item))
            {
                unique.Add(item);
            }
        }

        return unique.Count == items.Length ? items : [.. unique];
    }

    private string? Text(CliFlag flag) => Resolve(flag)?.Value;

    private string? NonEmptyText(CliFlag flag)
    {
        string? value = Resolve(flag)?.Value.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private bool Bool(CliFlag flag)
    {
        if (Resolve(flag) is not { } setting)
        {
            return false;
        }

        if (GoText.TryParseBool(setting.Value.Trim(), out bool value))
        {
            return value;
        }

        _errors.Add($"{setting.Source}: '{setting.Value}' is not a boolean (expected true or false)");
        return false;
    }

    private int? Port(CliFlag flag)
    {
        if (Resolve(flag) is not { } setting || setting.Value.Trim().Length == 0)
        {
            return null;
        }

        return ParsePort(setting.Value.Trim(), setting.Source);
    }

    private int? ParsePort(string text, string source)
    {
        // Digits only: Go's strconv.Atoi would take "+80", but a sign in a port list is a typo.
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            return port;
        }

        _errors.Add($"{source}: '{text}' is not a port number (1-65535)");
        return null;
    }

    private List<int> PortList(CliFlag flag)
    {
        if (Resolve(flag) is not { } setting)
        {
            return [];
        }

        var ports = new List<int>();
        foreach (string item in Items(setting.Value))
        {
            if (ParsePort(item, setting.Source) is int port)
            {
                ports.Add(port);
            }
        }

        return ports;
    }

    private (bool All, IReadOnlyList<int> Ports) PortsOrAll(CliFlag flag)
    {
        if (Resolve(flag) is { } setting && setting.Value.Trim() == "*")
        {
            return (true, []);
        }

        return (false, PortList(flag));
    }

    private (bool All, IReadOnlyList<IPNetwork> Cidrs) CidrsOrAll(CliFlag flag, bool allowAll)
    {
        if (Resolve(flag) is not { } setting)
        {
            return (false, []);
        }

        string[] items = Items(setting.Value);
        if (items.Contains("*"))
        {
            if (!allowAll)
            {
                _errors.Add($"{setting.Source}: '{setting.Value}': '*' is not allowed here (excluding every destination would disable outbound capture; leave {flag.ShortName} empty and use -i instead)");
                return (false, []);
            }

            if (items.Length == 1)
            {
                return (true, []);
            }

            _errors.Add($"{setting.Source}: '{setting.Value}': '*' must be the only item");
            return (false, []);
        }

        var cidrs = new List<IPNetwork>(items.Length);
        foreach (string item in items)
        {
            if (CidrText.TryParse(item, out IPNetwork network) && MappedIpv4(network) is { } ipv4)
            {
                // Refused rather than rewritten: the rule would be installed and never match, and the user meant the IPv4 range.
                _errors.Add($"{setting.Source}: '{item}' is an IPv4-mapped IPv6 range, which never matches: the kernel sends and receives that traffic as IPv4; write {ipv4} instead");
            }
            else if (CidrText.TryParse(item, out network))
            {
                cidrs.Add(network);
            }
            else
            {
                _errors.Add($"{setting.Source}: '{item}' is not a CIDR (expected ADDRESS/PREFIX, e.g. 10.0.0.0/8 or fd00::/8)");
            }
        }

        return (false, cidrs);
    }

    /// <summary>The IPv4 range an IPv4-mapped IPv6 range (inside <c>::ffff:0:0/96</c>) stands for, as text, or null.</summary>
    private static string? MappedIpv4(IPNetwork network)
    {
        if (network.PrefixLength < 96 || !network.BaseAddress.IsIPv4MappedToIPv6)
        {
            return null;
        }

        return IpText.Format(network.BaseAddress.MapToIPv4()) + "/" + (network.PrefixLength - 96).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private List<string> Interfaces(CliFlag flag)
    {
        if (Resolve(flag) is not { } setting)
        {
            return [];
        }

        var names = new List<string>();
        foreach (string item in Items(setting.Value))
        {
            // IFNAMSIZ is 16 including the NUL; iptables refuses longer names and ones with '/' or blanks.
            if (item.Length > 15 || item.Any(c => c == '/' || char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                _errors.Add($"{setting.Source}: '{item}' is not an interface name (at most 15 characters, no '/' or spaces)");
                continue;
            }

            names.Add(item);
        }

        return names;
    }

    /// <summary>UIDs or GIDs: numbers, or names iptables resolves. Null when not given or empty (= the default).</summary>
    private string[]? Ids(CliFlag flag)
    {
        if (Resolve(flag) is not { } setting)
        {
            return null;
        }

        string[] items = Items(setting.Value);
        if (items.Length == 0)
        {
            return null;
        }

        foreach (string item in items)
        {
            if (!IsIdOrName(item))
            {
                _errors.Add($"{setting.Source}: '{item}' is not a user or group id");
            }
        }

        return items;
    }

    internal static bool IsIdOrName(string item) =>
        item.Length > 0 && item.Length <= 32 && item.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '$')
        && item[0] != '-';

    private InterceptionMode Mode()
    {
        if (Resolve(CaptureCliOptions.InterceptionMode) is not { } setting)
        {
            return InterceptionMode.Redirect;
        }

        switch (setting.Value.Trim())
        {
            case "" or "REDIRECT":
                return InterceptionMode.Redirect;
            case "TPROXY":
                return InterceptionMode.TProxy;
            default:
                // istio-iptables silently treats anything else as REDIRECT; a typo here must not change capture.
                _errors.Add($"{setting.Source}: '{setting.Value}' is not an interception mode (expected REDIRECT or TPROXY)");
                return InterceptionMode.Redirect;
        }
    }

    private Ipv6Mode Ipv6()
    {
        if (Resolve(CaptureCliOptions.Ipv6) is not { } setting)
        {
            return Ipv6Mode.Auto;
        }

        string value = setting.Value.Trim();
        if (value.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            return Ipv6Mode.Auto;
        }

        if (GoText.TryParseBool(value, out bool on))
        {
            return on ? Ipv6Mode.On : Ipv6Mode.Off;
        }

        _errors.Add($"{setting.Source}: '{setting.Value}' is not an IPv6 mode (expected auto, true or false)");
        return Ipv6Mode.Auto;
    }

    private TimeSpan? Duration(CliFlag flag)
    {
        if (Resolve(flag) is not { } setting || setting.Value.Trim().Length == 0)
        {
            return null;
        }

        if (GoText.TryParseDuration(setting.Value.Trim(), out TimeSpan duration))
        {
            return duration;
        }

        _errors.Add($"{setting.Source}: '{setting.Value}' is not a duration (e.g. 5s, 500ms, 1m)");
        return null;
    }

    /// <summary>The loopback CIDR as written, when it parses (Istio's nft rules print it verbatim); errors come from <see cref="LoopbackCidr"/>.</summary>
    private string? LoopbackCidrText() =>
        ResolveEnvironment(EnvironmentNames.Ipv4LoopbackCidr) is { } setting && CidrText.TryParse(setting.Value.Trim(), out _) ? setting.Value.Trim() : null;

    private IPNetwork? LoopbackCidr()
    {
        if (ResolveEnvironment(EnvironmentNames.Ipv4LoopbackCidr) is not { } setting)
        {
            return null;
        }

        if (CidrText.TryParse(setting.Value.Trim(), out IPNetwork network))
        {
            return network;
        }

        _errors.Add($"{setting.Source}: '{setting.Value}' is not a CIDR (expected an IPv4 loopback CIDR such as 127.0.0.1/32)");
        return null;
    }

    private (IReadOnlyList<string> Include, IReadOnlyList<string> Exclude) OwnerGroups()
    {
        Setting? include = ResolveEnvironment(EnvironmentNames.OwnerGroups);
        Setting? exclude = ResolveEnvironment(EnvironmentNames.OwnerGroupsExclude);
        string[] included = include is { } i && i.Value.Trim() != "*" ? Items(i.Value) : [];
        string[] excluded = exclude is { } e ? Items(e.Value) : [];
        if (included.Contains("*"))
        {
            _errors.Add($"{include!.Value.Source}: '{include.Value.Value}': '*' must be the only item");
            included = [];
        }

        foreach ((Setting? setting, string[] groups) in new[] { (include, included), (exclude, excluded) })
        {
            foreach (string group in groups)
            {
                if (!IsIdOrName(group))
                {
                    _errors.Add($"{setting!.Value.Source}: '{group}' is not a group name or id");
                }
            }
        }

        if (included.Length > 0 && excluded.Length > 0)
        {
            // istio-iptables applies the exclude list only when the include list is "*".
            _warnings.Add($"${EnvironmentNames.OwnerGroupsExclude} is ignored because ${EnvironmentNames.OwnerGroups} lists groups.");
            excluded = [];
        }

        return (included, excluded);
    }
}
