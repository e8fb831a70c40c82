using System.Globalization;
using System.Net;
using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>
/// Decides whether one match holds for the packet, with the kernel's semantics (xt_owner, xt_mark, xt_connmark,
/// xt_conntrack, xt_multiport, the ip/ip6 header matches). A match that cannot be decided (an unknown module from
/// another tool) yields a note and counts as not matching, so the simulation never invents a capture.
/// </summary>
internal static class MatchEvaluator
{
    public static bool Matches(Match match, PacketState packet, OwnerIds owners, out string? note)
    {
        note = null;
        switch (match)
        {
            case SourceMatch source:
                return source.Network.Contains(packet.Source) ^ source.Negated;
            case DestinationMatch destination:
                return destination.Network.Contains(packet.Destination) ^ destination.Negated;
            case InInterfaceMatch input:
                return InterfaceMatches(input.Interface, packet.InInterface) ^ input.Negated;
            case OutInterfaceMatch output:
                return InterfaceMatches(output.Interface, packet.OutInterface) ^ output.Negated;
            case ProtocolMatch protocol:
                return ProtocolMatches(protocol.Protocol, packet.Connection.Protocol);
            case DestinationPortMatch port:
                return (port.Port == packet.DestinationPort) ^ port.Negated;
            case SourcePortMatch port:
                return (port.Port == packet.SourcePort) ^ port.Negated;
            case MultiportDestinationMatch multiport:
                return multiport.Ports.Contains(packet.DestinationPort) ^ multiport.Negated;
            case MarkMatch mark:
                return ((packet.Mark & mark.Mask) == mark.Mark) ^ mark.Negated;
            case ConnmarkMatch connmark:
                return ((packet.ConnectionMark & connmark.Mask) == connmark.Mark) ^ connmark.Negated;
            case ConntrackStateMatch conntrack:
                return ((conntrack.States & packet.State) != 0) ^ conntrack.Negated;
            case OwnerMatch owner:
                return OwnerMatches(owner, packet, owners, out note);
            case UnknownMatch unknown when IsComment(unknown):
                return true;
            default:
                note = "cannot simulate '" + match + "': assumed not to match";
                return false;
        }
    }

    /// <summary>iptables' interface match: exact name, or a prefix when the rule's name ends in '+'. No interface never matches.</summary>
    public static bool InterfaceMatches(string pattern, string? actual)
    {
        if (actual is null)
        {
            return false;
        }

        return pattern.EndsWith('+')
            ? actual.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(pattern, actual, StringComparison.Ordinal);
    }

    private static bool ProtocolMatches(string protocol, TransportProtocol actual) => protocol.ToLowerInvariant() switch
    {
        "all" or "0" => true,
        "tcp" or "6" => actual == TransportProtocol.Tcp,
        "udp" or "17" => actual == TransportProtocol.Udp,
        _ => false,
    };

    private static bool OwnerMatches(OwnerMatch owner, PacketState packet, OwnerIds owners, out string? note)
    {
        note = null;

        // xt_owner on a packet with no local socket: "(match ^ invert) == 0", i.e. only the negated form matches.
        if (!packet.HasOwner)
        {
            return owner.Negated;
        }

        uint? id = owners.Resolve(owner.Kind, owner.Id);
        if (id is null)
        {
            note = "cannot resolve " + (owner.Kind == OwnerKind.Uid ? "user" : "group") + " '" + owner.Id + "': assumed not to match";
            return false;
        }

        uint actual = owner.Kind == OwnerKind.Uid ? packet.Connection.Uid : packet.Connection.Gid;
        return (actual == id.Value) ^ owner.Negated;
    }

    private static bool IsComment(UnknownMatch match) =>
        match.Tokens.Count >= 2 && match.Tokens[0] == "-m" && match.Tokens[1] == "comment";

    /// <summary>Formats an address the way iptables prints a host network (<c>10.0.0.1</c>, <c>fd00::1</c>).</summary>
    public static string Format(IPAddress address, int port) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? "[" + address + "]:" + port.ToString(CultureInfo.InvariantCulture)
            : address + ":" + port.ToString(CultureInfo.InvariantCulture);
}
