using System.Net;
using Capture.Init.Configuration;
using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>
/// Turns the rules that matched into the verdict sentence. The wording names the flag behind the deciding rule
/// (docs/rules.md generates each rule shape from one flag), so "why was this not captured" points at what to change.
/// </summary>
internal sealed class VerdictAnalyzer
{
    private const string DnsChain = "ISTIO_OUTPUT_DNS";
    private const string InboundRedirectChain = "ISTIO_IN_REDIRECT";
    private const string OutboundRedirectChain = "ISTIO_REDIRECT";
    private const string InboundChain = "ISTIO_INBOUND";

    private readonly IptablesState _rules;
    private readonly RuleOptions? _options;
    private readonly IRuleNotation _notation;

    public VerdictAnalyzer(IptablesState rules, RuleOptions? options, IRuleNotation notation)
    {
        _rules = rules;
        _options = options;
        _notation = notation;
    }

    public Outcome Decide(Connection connection, PacketState packet, IReadOnlyList<Decision> decisions)
    {
        var original = new IPEndPoint(connection.Destination, connection.DestinationPort);
        foreach (Decision decision in decisions)
        {
            switch (decision.Kind)
            {
                case DecisionKind.Drop:
                    return new Outcome { Kind = OutcomeKind.Dropped, Summary = DropReason(decision), Mark = packet.Mark, DecidingRule = decision.Describe(_notation) };
                case DecisionKind.TProxy:
                    var tproxy = (TProxyTarget)decision.Rule!.Target;
                    return new Outcome
                    {
                        Kind = OutcomeKind.TProxy,
                        Summary = "TPROXY to " + tproxy.Port + " (mark " + packet.Mark + ")",
                        Port = tproxy.Port,
                        Mark = packet.Mark,
                        OriginalDestination = original,
                        DecidingRule = decision.Describe(_notation),
                    };
                case DecisionKind.Redirect:
                    return Redirected(decision, decisions, packet, original);
                case DecisionKind.Accept when connection.Established && decision.Table == Table.Mangle && packet.Mark != 0:
                    return new Outcome
                    {
                        Kind = OutcomeKind.Diverted,
                        Summary = "diverted: established connection marked " + packet.Mark + " and routed to its local socket (TPROXY)",
                        Mark = packet.Mark,
                        OriginalDestination = original,
                        DecidingRule = decision.Describe(_notation),
                    };
                default:
                    break;
            }
        }

        Decision? deciding = DecidingReturn(connection, decisions);
        string summary = deciding is null ? NoRuleReason(connection, decisions) : ReturnReason(connection, deciding);
        return new Outcome { Kind = OutcomeKind.NotCaptured, Summary = summary, Mark = packet.Mark, DecidingRule = deciding?.Describe(_notation) };
    }

    private Outcome Redirected(Decision decision, IReadOnlyList<Decision> decisions, PacketState packet, IPEndPoint original)
    {
        int port = ((RedirectTarget)decision.Rule!.Target).Port;
        (OutcomeKind kind, string summary) = decision.Chain switch
        {
            DnsChain => (OutcomeKind.DnsCapture, "DNS → " + port),
            InboundRedirectChain when decision.Hook == Hook.Output =>
                (OutcomeKind.InboundCapture, "redirected to " + port + " (inbound capture: the proxy calling a local address over lo)"),
            InboundRedirectChain => (OutcomeKind.InboundCapture, "redirected to " + port + " (inbound capture)"),
            OutboundRedirectChain when decision.Hook == Hook.Prerouting =>
                (OutcomeKind.OutboundCapture, "redirected to " + port + " (outbound capture of traffic arriving on " + packet.Connection.EffectiveInInterface + ", -k)"),
            OutboundRedirectChain => (OutcomeKind.OutboundCapture, "redirected to " + port + " (outbound capture)"),
            _ => (OutcomeKind.Redirected, "redirected to " + port),
        };

        // The rule that sent it to the redirect chain says why (-i CIDR, -q port, owner); keep the path short.
        Decision? caller = decisions.LastOrDefault(d => d.Kind == DecisionKind.Jump && d.Rule!.JumpChain == decision.Chain);
        return new Outcome
        {
            Kind = kind,
            Summary = summary,
            Port = port,
            Mark = packet.Mark,
            OriginalDestination = original,
            DecidingRule = (caller is null ? "" : caller.Describe(_notation) + " → ") + decision.Describe(_notation),
        };
    }

    private string DropReason(Decision decision)
    {
        if (decision.Rule is null)
        {
            return "dropped: " + _notation.Chain(decision.Chain) + " policy DROP";
        }

        if (decision.Chain == "ISTIO_DROP" || decision.Rule.Matches.Any(m => m is ConntrackStateMatch { States: ConntrackStates.Invalid, Negated: false }))
        {
            return "dropped: conntrack state INVALID (--drop-invalid)";
        }

        return "dropped by " + decision.Describe(_notation);
    }

    /// <summary>
    /// The RETURN/ACCEPT that kept the connection from capture: the last one in the table that captures for the
    /// direction (nat for outbound; for inbound nat, or mangle where TPROXY lives).
    /// </summary>
    private static Decision? DecidingReturn(Connection connection, IReadOnlyList<Decision> decisions)
    {
        Hook hook = connection.Direction == ConnectionDirection.Outbound ? Hook.Output : Hook.Prerouting;
        Decision? nat = decisions.LastOrDefault(d => d.Hook == hook && d.Table == Table.Nat && d.Kind is DecisionKind.Return or DecisionKind.Accept && d.Rule is not null);
        if (nat is not null || connection.Direction == ConnectionDirection.Outbound)
        {
            return nat;
        }

        return decisions.LastOrDefault(d => d.Hook == hook && d.Table == Table.Mangle && d.Kind is DecisionKind.Return or DecisionKind.Accept && d.Rule is not null);
    }

    private string ReturnReason(Connection connection, Decision decision)
    {
        Rule rule = decision.Rule!;
        var owners = rule.Matches.OfType<OwnerMatch>().ToList();
        InInterfaceMatch? input = rule.Matches.OfType<InInterfaceMatch>().FirstOrDefault();
        OutInterfaceMatch? output = rule.Matches.OfType<OutInterfaceMatch>().FirstOrDefault();
        SourceMatch? source = rule.Matches.OfType<SourceMatch>().FirstOrDefault();
        DestinationMatch? destination = rule.Matches.OfType<DestinationMatch>().FirstOrDefault();
        DestinationPortMatch? port = rule.Matches.OfType<DestinationPortMatch>().FirstOrDefault();
        MarkMatch? mark = rule.Matches.OfType<MarkMatch>().FirstOrDefault();
        bool loopback = (output?.Interface ?? input?.Interface) == Connection.LoopbackInterface;

        if (owners.Count > 1 && owners.All(o => o.Negated && o.Kind == OwnerKind.Gid))
        {
            return "not captured: GID " + connection.Gid + " is not one of the captured owner groups (ISTIO_OUTBOUND_OWNER_GROUPS)";
        }

        if (owners.Count == 1 && !owners[0].Negated)
        {
            string kind = owners[0].Kind == OwnerKind.Uid ? "UID" : "GID";
            bool excludedGroup = owners[0].Kind == OwnerKind.Gid && _options is not null && _options.OwnerGroupsExclude.Contains(owners[0].Id);
            return "bypassed: owner " + kind + " " + owners[0].Id + (excludedGroup ? " (ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE)" : "");
        }

        if (owners.Count == 1 && loopback)
        {
            string kind = owners[0].Kind == OwnerKind.Uid ? "UID" : "GID";
            return "not captured: loopback traffic from a process whose " + kind + " is not " + owners[0].Id + " (the proxy's)";
        }

        if (source is not null && loopback)
        {
            return "not captured: inbound passthrough from the proxy (source " + source.Network + " over lo)";
        }

        if (mark is not null && !mark.Negated)
        {
            return "not captured: the packet already carries the TPROXY mark " + mark.Mark + " (proxy traffic)";
        }

        if (mark is not null && loopback)
        {
            return "not captured: loopback traffic without the proxy's mark " + mark.Mark;
        }

        if (destination is not null && !destination.Negated && port is null)
        {
            return IPAddress.IsLoopback(destination.Network.BaseAddress)
                ? "not captured: destination " + destination.Network + " is loopback"
                : "not captured: " + destination.Network + " is excluded (-x)";
        }

        if (port is not null && !port.Negated)
        {
            if (decision.Hook == Hook.Output)
            {
                return "not captured: port " + port.Port + " is excluded (-o)";
            }

            int tunnel = _options?.InboundTunnelPort ?? RuleOptions.Default.InboundTunnelPort;
            return port.Port == tunnel
                ? "not captured: port " + port.Port + " is the inbound tunnel port (-e)"
                : "not captured: port " + port.Port + " is excluded (-d)";
        }

        if (rule.Matches.Count == 1 && (input ?? (Match?)output) is not null && !loopback)
        {
            string name = input?.Interface ?? output!.Interface;
            return IsKubeVirtInterface(name)
                ? "not captured: traffic arriving on " + name + " is captured only towards -i (-k)"
                : "not captured: interface " + name + " is excluded (-c)";
        }

        return "not captured: " + (decision.Kind == DecisionKind.Accept ? "accepted" : "returned") + " by " + decision.Describe(_notation);
    }

    // -c writes the interface into nat OUTPUT as well; -k only into PREROUTING.
    private bool IsKubeVirtInterface(string name)
    {
        if (_options is not null)
        {
            return _options.KubeVirtInterfaces.Contains(name) && !_options.ExcludeInterfaces.Contains(name);
        }

        return !_rules.Rules(Table.Nat, "OUTPUT").Any(r => r.Matches.OfType<OutInterfaceMatch>().Any(o => o.Interface == name));
    }

    private static string NoRuleReason(Connection connection, IReadOnlyList<Decision> decisions)
    {
        string port = connection.Protocol.ToString().ToLowerInvariant() + " port " + connection.DestinationPort;
        if (connection.Direction == ConnectionDirection.Inbound)
        {
            if (connection.Protocol == TransportProtocol.Udp)
            {
                return "not captured: inbound udp is never captured";
            }

            return decisions.Any(d => d.Kind == DecisionKind.Jump && d.Rule!.JumpChain == InboundChain)
                ? "not captured: " + port + " is not an inbound capture port (-b)"
                : "not captured: no inbound capture (-b is empty)";
        }

        if (decisions.Any(d => d.Kind == DecisionKind.Jump && d.Rule!.JumpChain == OutboundRedirectChain))
        {
            return "not captured: only tcp is redirected (" + port + ")";
        }

        return "not captured: no capture rule matched " + connection.Destination + " " + port + " (not in -i, -q)";
    }
}
