using System.Net;
using System.Net.Sockets;
using Capture.Init.Configuration;
using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>
/// Follows one connection through the rules of one family the way netfilter does, and says what happens to it.
/// </summary>
/// <remarks>
/// Semantics modelled (see net/netfilter and net/ipv4/netfilter in the kernel):
/// <list type="bullet">
/// <item>Hooks in order for the direction; within a hook, the tables' base chains by priority (iptables: raw -300,
/// mangle -150, nat DNAT -100, filter 0, nat SNAT +100; nft: what <see cref="IRuleNotation"/> says).</item>
/// <item>nat is consulted once per connection and manipulation: only for the first packet, and not again when a
/// locally generated packet re-enters on lo (its DNAT and SNAT bindings were made at OUTPUT and POSTROUTING).</item>
/// <item>REDIRECT in OUTPUT rewrites the destination to 127.0.0.1 / ::1 and reroutes to lo; in PREROUTING to the
/// receiving interface's primary address (reported as the destination address, which it is for a pod address).</item>
/// <item>MARK, CONNMARK and TPROXY marks stay on the packet: later tables, and PREROUTING on loopback re-entry, see them.</item>
/// <item>RETURN (or falling off the end) of a user chain continues in the caller; of a built-in chain applies the
/// chain's policy (ACCEPT unless iptables-save says otherwise). ACCEPT ends only the current table.</item>
/// <item><c>-m owner</c> sees the sending socket only in OUTPUT and POSTROUTING; elsewhere only its negation matches.</item>
/// <item><c>CT --zone</c> takes effect only before conntrack has attached an entry (the first raw traversal).</item>
/// </list>
/// </remarks>
internal sealed partial class PacketSimulator
{
    // Nested user chains deeper than this mean a loop (iptables itself refuses loops when loading).
    private const int MaxDepth = 16;

    private readonly IptablesState _rules;
    private readonly IpFamily _family;
    private readonly OwnerIds _owners;
    private readonly RuleOptions? _options;
    private readonly IRuleNotation _notation;

    /// <param name="rules">The rules of <paramref name="family"/>: a plan's state or a parsed iptables-save.</param>
    /// <param name="family">Which family these rules are for; connections must be of that family.</param>
    /// <param name="owners">Resolves user and group names in owner matches.</param>
    /// <param name="options">The flags the rules were built from, when known: sharper wording (-c vs -k, the tunnel port).</param>
    /// <param name="notation">The backend: its base chains per hook and its names; iptables when null.</param>
    public PacketSimulator(IptablesState rules, IpFamily family, OwnerIds owners, RuleOptions? options = null, IRuleNotation? notation = null)
    {
        _rules = rules;
        _family = family;
        _owners = owners;
        _options = options;
        _notation = notation ?? IptablesNotation.Instance;
    }

    public static IpFamily FamilyOf(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? IpFamily.V6 : IpFamily.V4;

    public Explanation Explain(Connection connection)
    {
        if (FamilyOf(connection.Destination) != _family)
        {
            throw new ArgumentException("The connection's family does not match the rules' family.", nameof(connection));
        }

        Explanation first = Walk(connection with { Established = false });
        if (!connection.Established)
        {
            return first;
        }

        // A later packet: nat is not consulted again, but the binding the first packet made still applies.
        Explanation later = Walk(connection);
        Outcome outcome = later.Outcome.Kind is OutcomeKind.Diverted or OutcomeKind.Dropped or OutcomeKind.TProxy
            ? later.Outcome
            : first.Outcome with { Summary = first.Outcome.Summary + " (established: nat bound by the first packet)" };
        return later with { Outcome = outcome, Notes = [.. first.Notes, .. later.Notes] };
    }

    private Explanation Walk(Connection connection)
    {
        var run = new Run(this, new PacketState(connection));
        PacketState packet = run.Packet;
        if (connection.Direction == ConnectionDirection.Outbound)
        {
            packet.OutInterface = connection.EffectiveOutInterface;
            packet.HasOwner = true;
            run.VisitHook(Hook.Output);
            if (!run.Finished)
            {
                run.VisitHook(Hook.Postrouting);
            }

            // A packet routed to lo comes back in through PREROUTING and INPUT, with its marks and conntrack entry.
            if (!run.Finished && packet.OutInterface == Connection.LoopbackInterface)
            {
                packet.InInterface = Connection.LoopbackInterface;
                packet.OutInterface = null;
                packet.HasOwner = false;
                run.Note(Hook.Prerouting, "loopback re-entry: the packet comes back in on lo; nat is not consulted again for this connection");
                run.VisitHook(Hook.Prerouting);
                if (!run.Finished)
                {
                    run.VisitHook(Hook.Input);
                }
            }
        }
        else
        {
            packet.InInterface = connection.EffectiveInInterface;
            run.VisitHook(Hook.Prerouting);
            if (!run.Finished)
            {
                run.VisitHook(Hook.Input);
            }
        }

        return new Explanation
        {
            Connection = connection,
            Family = _family,
            Steps = run.Steps,
            Outcome = new VerdictAnalyzer(_rules, _options, _notation).Decide(connection, packet, run.Decisions),
            ConntrackZone = packet.Zone,
            Notes = run.Notes,
            Notation = _notation,
        };
    }
}
