using System.Globalization;
using System.Net;
using Capture.Init.Values;

namespace Capture.Init.Explain;

/// <summary>Turns explain's connection flags (text as typed) into a <see cref="Connection"/>, or every problem, one line each.</summary>
internal static class ConnectionArguments
{
    public static Connection? Parse(
        string? direction, string? source, string? destination, string? protocol, string? uid, string? gid,
        string? inInterface, string? outInterface, bool established, List<string> problems)
    {
        ConnectionDirection parsedDirection = ConnectionDirection.Outbound;
        switch (direction?.ToLowerInvariant())
        {
            case null or "outbound" or "out":
                break;
            case "inbound" or "in":
                parsedDirection = ConnectionDirection.Inbound;
                break;
            default:
                problems.Add($"--direction: '{direction}' is not inbound or outbound");
                break;
        }

        TransportProtocol parsedProtocol = TransportProtocol.Tcp;
        switch (protocol?.ToLowerInvariant())
        {
            case null or "tcp":
                break;
            case "udp":
                parsedProtocol = TransportProtocol.Udp;
                break;
            default:
                problems.Add($"--protocol: '{protocol}' is not tcp or udp");
                break;
        }

        IPEndPoint? to = null;
        if (destination is null)
        {
            problems.Add("--dst is required: the destination as ADDRESS:PORT (e.g. 10.1.2.3:8080 or [fd00::1]:8080)");
        }
        else if (!TryParseEndPoint(destination, requirePort: true, out to))
        {
            problems.Add($"--dst: '{destination}' is not ADDRESS:PORT (e.g. 10.1.2.3:8080 or [fd00::1]:8080)");
        }

        IPEndPoint? from = null;
        if (source is not null && !TryParseEndPoint(source, requirePort: false, out from))
        {
            problems.Add($"--src: '{source}' is not ADDRESS or ADDRESS:PORT");
        }

        uint parsedUid = ParseId("--uid", uid, problems) ?? 0;
        // Without --gid, the group follows the user, as for a process whose primary group has its uid's number.
        uint parsedGid = ParseId("--gid", gid, problems) ?? parsedUid;

        if (to is null || problems.Count > 0)
        {
            return null;
        }

        // ::ffff:a.b.c.d is IPv4 on the wire (a dual-stack socket connecting to it sends IPv4): the IPv4 rules decide.
        if (to.Address.IsIPv4MappedToIPv6)
        {
            to = new IPEndPoint(to.Address.MapToIPv4(), to.Port);
            if (from is not null && from.Address.IsIPv4MappedToIPv6)
            {
                from = new IPEndPoint(from.Address.MapToIPv4(), from.Port);
            }
        }

        var connection = new Connection
        {
            Direction = parsedDirection,
            Protocol = parsedProtocol,
            Source = from?.Address,
            SourcePort = from is { Port: > 0 } ? from.Port : Connection.DefaultSourcePort,
            Destination = to.Address,
            DestinationPort = to.Port,
            Uid = parsedUid,
            Gid = parsedGid,
            InInterface = inInterface,
            OutInterface = outInterface,
            Established = established,
        };
        problems.AddRange(connection.Validate());
        return problems.Count > 0 ? null : connection;
    }

    private static uint? ParseId(string flag, string? text, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
        {
            return id;
        }

        problems.Add($"{flag}: '{text}' is not a numeric id");
        return null;
    }

    /// <summary>
    /// Parses <c>10.1.2.3</c>, <c>10.1.2.3:80</c>, <c>fd00::1</c>, <c>[fd00::1]:80</c>. Addresses go through
    /// <see cref="IpText"/>, the parser every address a user types goes through, so explain refuses what apply refuses
    /// (<c>10.1</c> or octal <c>010.1.2.3</c>, which the framework's parser would read as other addresses, and zones).
    /// </summary>
    internal static bool TryParseEndPoint(string text, bool requirePort, out IPEndPoint? endPoint)
    {
        endPoint = null;
        ReadOnlySpan<char> span = text.AsSpan();
        ReadOnlySpan<char> address;
        ReadOnlySpan<char> port = default;
        if (span.StartsWith('['))
        {
            int close = span.IndexOf(']');
            if (close < 0 || close + 1 >= span.Length || span[close + 1] != ':')
            {
                return false;
            }

            address = span[1..close];
            port = span[(close + 2)..];
            if (!address.Contains(':'))
            {
                return false; // brackets are for IPv6 only
            }
        }
        else if (span.IndexOf(':') is int colon && colon >= 0 && span.LastIndexOf(':') == colon)
        {
            address = span[..colon];
            port = span[(colon + 1)..];
        }
        else
        {
            address = span; // no colon (IPv4) or several (a bare IPv6 address, whose last group is not a port)
        }

        bool hasPort = !port.IsEmpty || span.StartsWith('[') || (!address.Contains(':') && span.Contains(':'));
        if ((requirePort && !hasPort) || !IpText.TryParseAddress(address, out IPAddress parsed))
        {
            return false;
        }

        int portNumber = 0;
        if (hasPort && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535))
        {
            return false;
        }

        endPoint = new IPEndPoint(parsed, portNumber);
        return true;
    }
}
