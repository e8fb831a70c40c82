using System.Globalization;
using System.Net;
using Capture.Init.Rules;
using Capture.Init.Values;

namespace Capture.Init.Iptables;

internal static partial class IptablesSaveParser
{
    private static Target ParseTarget(Table table, string name, List<string> options, StateBuilder builder)
    {
        Target? target = name switch
        {
            "RETURN" when options.Count == 0 => VerdictTarget.Return,
            "ACCEPT" when options.Count == 0 => VerdictTarget.Accept,
            "DROP" when options.Count == 0 => VerdictTarget.Drop,
            "REDIRECT" => Redirect(options),
            "TPROXY" => TProxy(options),
            "MARK" => Mark(options),
            "CONNMARK" => Connmark(options),
            "CT" => CtZone(options),
            _ when options.Count == 0 && builder.IsDeclared(table, name) => new JumpTarget(name),
            _ => null,
        };
        if (target is not null)
        {
            return target;
        }

        var tokens = new List<string>(options.Count + 2) { "-j", name };
        tokens.AddRange(options);
        return new UnknownTarget(tokens);
    }

    private static RedirectTarget? Redirect(List<string> options) =>
        options.Count == 2 && options[0] is "--to-ports" or "--to-port" && Port(options[1]) is int port
            ? new RedirectTarget(port, SingularSpelling: options[0] == "--to-port")
            : null;

    private static TProxyTarget? TProxy(List<string> options)
    {
        int? port = null;
        uint mark = 0, mask = MarkText.FullMask;
        bool hasMark = false;
        for (int i = 0; i + 1 < options.Count + 1; i += 2)
        {
            if (i + 1 >= options.Count)
            {
                return null;
            }

            string value = options[i + 1];
            switch (options[i])
            {
                case "--on-port":
                    port = Port(value);
                    break;
                case "--on-ip":
                    // save writes the wildcard default; any other address is a rule we did not write.
                    if (!IpText.TryParseAddress(value, out IPAddress address) || !(address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)))
                    {
                        return null;
                    }

                    break;
                case "--tproxy-mark":
                    hasMark = MarkText.TryParseWithMask(value, out mark, out mask);
                    if (!hasMark)
                    {
                        return null;
                    }

                    break;
                default:
                    return null;
            }
        }

        return port is int onPort && hasMark ? new TProxyTarget(mark, onPort, mask) : null;
    }

    private static MarkTarget? Mark(List<string> options) =>
        options.Count == 2
        && options[0] is "--set-mark" or "--set-xmark"
        && MarkText.TryParseWithMask(options[1], out uint mark, out uint mask)
        && mask == MarkText.FullMask
            ? new MarkTarget(mark)
            : null;

    private static ConnmarkTarget? Connmark(List<string> options)
    {
        if (options.Count == 0)
        {
            return null;
        }

        ConnmarkAction action;
        switch (options[0])
        {
            case "--save-mark": action = ConnmarkAction.SaveMark; break;
            case "--restore-mark": action = ConnmarkAction.RestoreMark; break;
            default: return null;
        }

        // save adds the default masks; only those keep the rule equal to the one we write.
        for (int i = 1; i < options.Count; i += 2)
        {
            if (i + 1 >= options.Count
                || options[i] is not ("--nfmask" or "--ctmask" or "--mask")
                || !MarkText.TryParse(options[i + 1], out uint mask)
                || mask != MarkText.FullMask)
            {
                return null;
            }
        }

        return new ConnmarkTarget(action);
    }

    private static CtZoneTarget? CtZone(List<string> options) =>
        options.Count == 2 && options[0] == "--zone"
        && int.TryParse(options[1], NumberStyles.None, CultureInfo.InvariantCulture, out int zone)
            ? new CtZoneTarget(zone)
            : null;
}
