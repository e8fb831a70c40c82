using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Capture.Init.Explain;
using Capture.Init.Rules;
using Capture.Init.Values;

namespace Capture.Init.Nftables;

/// <summary>
/// Istio's <c>inet</c> tables as the rule model explain walks (<c>explain --native-nftables</c>): for one family, each
/// nft rule becomes the <see cref="Rule"/> with the same meaning, so the walk, the kernel semantics it models and the
/// verdict wording are the ones checked against the kernel for iptables; <see cref="NftNotation"/> prints nft's names.
/// </summary>
/// <remarks>
/// What differs from iptables and is modelled here: an <c>inet</c> rule applies to both families unless it reads an
/// <c>ip</c> or <c>ip6</c> header field, so IPv6 traffic meets every family-neutral rule even when no IPv6 rule was
/// planned; <c>tcp dport</c> implies the protocol (a udp packet never matches <c>tcp dport != 53</c>); a rule may carry
/// several statements (<c>tproxy ip to :15006 meta mark set 1337 accept</c> is TPROXY with its mark). A statement or match the model does not know stays visible and is reported as not simulated.
/// </remarks>
internal static class NftExplainRules
{
    /// <summary>The walk of <paramref name="state"/>'s rules for <paramref name="family"/>, printed with nft's names.</summary>
    public static PacketSimulator Simulator(NftState state, IpFamily family, OwnerIds owners, Configuration.RuleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var notation = new NftNotation();
        return new PacketSimulator(Build(state, family, notation), family, owners, options, notation);
    }

    /// <summary>The rules of <paramref name="family"/> as iptables-shaped chains; <paramref name="notation"/> learns each rule's nft text.</summary>
    public static IptablesState Build(NftState state, IpFamily family, NftNotation notation)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(notation);
        var chains = new List<ChainState>(state.Chains.Count + 4);
        foreach (NftChainState chain in state.Chains)
        {
            string name = notation.ModelChain(chain.Name);
            var rules = new List<Rule>(chain.Rules.Count);
            foreach (NftRule nft in chain.Rules)
            {
                if (Translate(nft, name, family, notation) is { } rule)
                {
                    notation.Remember(rule, nft);
                    rules.Add(rule);
                }
            }

            chains.Add(new ChainState(chain.Table, name, rules));
        }

        // A jump to a chain this state does not declare (a live table being edited) is walked as a missing chain.
        return new IptablesState(chains);
    }

    /// <summary>The rule for <paramref name="family"/>, or null when it reads the other family's header and so never matches.</summary>
    private static Rule? Translate(NftRule nft, string chain, IpFamily family, NftNotation notation)
    {
        var matches = new List<Match>(nft.Matches.Count + 1);
        foreach (NftMatch match in nft.Matches)
        {
            if (FamilyOf(match.Field) is { } only && only != family)
            {
                return null;
            }

            AddMatch(match, matches);
        }

        return new Rule(nft.Table, chain, matches, Target(nft.Statements, notation));
    }

    private static IpFamily? FamilyOf(NftField field) => field switch
    {
        NftField.IpSaddr or NftField.IpDaddr => IpFamily.V4,
        NftField.Ip6Saddr or NftField.Ip6Daddr => IpFamily.V6,
        _ => null,
    };

    private static void AddMatch(NftMatch match, List<Match> matches)
    {
        string key = match.Value.Key;
        bool negated = match.Negated;
        switch (match.Field)
        {
            case NftField.IifName:
                matches.Add(new InInterfaceMatch(ExactInterface(key), negated));
                return;
            case NftField.OifName:
                matches.Add(new OutInterfaceMatch(ExactInterface(key), negated));
                return;
            case NftField.L4Proto when !negated:
                AddProtocol(key, matches);
                return;
            case NftField.SkUid or NftField.SkGid:
                matches.Add(new OwnerMatch(match.Field == NftField.SkUid ? OwnerKind.Uid : OwnerKind.Gid, key, negated));
                return;
            case NftField.Mark when MarkText.TryParse(key, out uint mark):
                matches.Add(new MarkMatch(mark, negated));
                return;
            case NftField.CtMark when MarkText.TryParse(key, out uint mark):
                matches.Add(new ConnmarkMatch(mark, negated));
                return;
            case NftField.CtState when ConntrackStateMatch.TryParseStates(key, out ConntrackStates states):
                matches.Add(new ConntrackStateMatch(states, negated));
                return;
            case NftField.IpSaddr or NftField.Ip6Saddr when Network(key) is { } source:
                matches.Add(new SourceMatch(source, negated));
                return;
            case NftField.IpDaddr or NftField.Ip6Daddr when Network(key) is { } destination:
                matches.Add(new DestinationMatch(destination, negated));
                return;
            case NftField.TcpDport or NftField.UdpDport when Ports(key) is { } ports:
                // The header match implies the protocol: nft adds the dependency, iptables needs -p.
                AddProtocol(match.TransportProtocol!, matches);
                matches.Add(ports.Count == 1 ? new DestinationPortMatch(ports[0], negated) : new MultiportDestinationMatch(ports, negated));
                return;
            case NftField.TcpSport or NftField.UdpSport when Ports(key) is [int port]:
                AddProtocol(match.TransportProtocol!, matches);
                matches.Add(new SourcePortMatch(port, negated));
                return;
            default:
                // Never invented as matching: the walk notes it and treats the rule as not matching.
                matches.Add(new UnknownMatch([match.ToString()]));
                return;
        }
    }

    private static void AddProtocol(string protocol, List<Match> matches)
    {
        foreach (Match existing in matches)
        {
            if (existing is ProtocolMatch known && known.Protocol == protocol)
            {
                return;
            }
        }

        matches.Add(new ProtocolMatch(protocol));
    }

    /// <summary>nft's interface wildcard is a trailing <c>*</c>, iptables' a trailing <c>+</c>.</summary>
    private static string ExactInterface(string name) => name.EndsWith('*') ? name[..^1] + "+" : name;

    private static IPNetwork? Network(string key)
    {
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        string address = slash < 0 ? key : key[..slash];
        if (!IpText.TryParseAddress(address, out IPAddress parsed))
        {
            return null;
        }

        int full = parsed.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        int prefix = full;
        if (slash >= 0 && (!int.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > full))
        {
            return null;
        }

        return IpText.Network(parsed, prefix);
    }

    private static List<int>? Ports(string key)
    {
        var ports = new List<int>(2);
        foreach (string part in key.Split(','))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            {
                return null;
            }

            ports.Add(port);
        }

        return ports;
    }

    /// <summary>
    /// The statements as one target. Istio's rules carry one action and at most one verdict (counter aside); the one
    /// combination, <c>tproxy … meta mark set M accept</c>, is iptables' TPROXY with <c>--tproxy-mark M</c>.
    /// </summary>
    private static Target Target(IReadOnlyList<NftStatement> statements, NftNotation notation)
    {
        NftStatement? action = null;
        NftStatement? verdict = null;
        NftStatement? mark = null;
        int actions = 0;
        foreach (NftStatement statement in statements)
        {
            switch (statement.Kind)
            {
                case NftStatementKind.Counter:
                    break;
                case NftStatementKind.Return or NftStatementKind.Accept or NftStatementKind.Drop or NftStatementKind.Jump:
                    verdict ??= statement;
                    break;
                case NftStatementKind.SetMetaMark when action is { Kind: NftStatementKind.TProxy }:
                    mark = statement;
                    break;
                default:
                    action ??= statement;
                    actions++;
                    break;
            }
        }

        if (action is { Kind: NftStatementKind.TProxy } tproxy && actions == 1 && verdict is null or { Kind: NftStatementKind.Accept })
        {
            // Without "meta mark set", nft's tproxy leaves the mark alone: a zero mask keeps the packet's mark.
            return mark is null ? new TProxyTarget(0, (int)tproxy.Number, 0) : new TProxyTarget((uint)mark.Number, (int)tproxy.Number);
        }

        if (actions == 0)
        {
            return verdict?.Kind switch
            {
                NftStatementKind.Return => VerdictTarget.Return,
                NftStatementKind.Accept => VerdictTarget.Accept,
                NftStatementKind.Drop => VerdictTarget.Drop,
                NftStatementKind.Jump => new JumpTarget(notation.ModelChain(verdict.Name!)),
                // counter only: the packet goes on to the next rule, as after LOG.
                _ => new UnknownTarget(["-j", "LOG"]),
            };
        }

        if (actions == 1 && verdict is null)
        {
            switch (action!.Kind)
            {
                case NftStatementKind.Redirect:
                    return new RedirectTarget((int)action.Number);
                case NftStatementKind.SetMetaMark:
                    return new MarkTarget((uint)action.Number);
                case NftStatementKind.SetCtMarkFromMark:
                    return new ConnmarkTarget(ConnmarkAction.SaveMark);
                case NftStatementKind.SetMarkFromCtMark:
                    return new ConnmarkTarget(ConnmarkAction.RestoreMark);
                case NftStatementKind.SetCtZone:
                    return new CtZoneTarget((int)action.Number);
                default:
                    break;
            }
        }

        // Something Istio does not write: shown, reported as not simulated, and assumed to let the packet go on.
        var text = new List<string>(statements.Count);
        foreach (NftStatement statement in statements)
        {
            if (statement.Kind != NftStatementKind.Counter)
            {
                text.Add(statement.ToString());
            }
        }

        return new UnknownTarget(["-j", string.Join(' ', text)]);
    }
}
