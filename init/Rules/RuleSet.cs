using Capture.Init.Configuration;

namespace Capture.Init.Rules;

/// <summary>
/// The plan <see cref="CaptureRuleBuilder"/> produces: per family the rules in generation order, the routing changes,
/// and warnings to show the user (e.g. DNS capture turned off for lack of servers).
/// </summary>
internal sealed class RuleSet
{
    public RuleSet(
        IReadOnlyList<Rule> ipv4Rules,
        IReadOnlyList<Rule> ipv6Rules,
        bool ipv6Enabled,
        IReadOnlyList<RouteCommand> routeCommands,
        IReadOnlyList<string> warnings,
        HostFacts host)
    {
        Host = host;
        Ipv4Rules = ipv4Rules;
        Ipv6Rules = ipv6Rules;
        Ipv6Enabled = ipv6Enabled;
        RouteCommands = routeCommands;
        Warnings = warnings;
    }

    /// <summary>IPv4 rules in generation order (the order of the iptables-restore payload).</summary>
    public IReadOnlyList<Rule> Ipv4Rules { get; }

    /// <summary>IPv6 rules in generation order; empty when <see cref="Ipv6Enabled"/> is false.</summary>
    public IReadOnlyList<Rule> Ipv6Rules { get; }

    /// <summary>Whether an ip6tables-restore payload is applied (even if it happens to be empty).</summary>
    public bool Ipv6Enabled { get; }

    /// <summary><c>ip</c> changes, in the order they are applied (after the rules).</summary>
    public IReadOnlyList<RouteCommand> RouteCommands { get; }

    /// <summary>Things the user should know about the plan, one sentence each.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The host facts the plan was built with (the nftables plan of the same run is built with them too).</summary>
    public HostFacts Host { get; }

    /// <summary>The families to apply: IPv4, then IPv6 when enabled.</summary>
    public IReadOnlyList<IpFamily> Families => Ipv6Enabled ? [IpFamily.V4, IpFamily.V6] : [IpFamily.V4];

    /// <summary>The rules of one family in generation order.</summary>
    public IReadOnlyList<Rule> Rules(IpFamily family) => family == IpFamily.V4 ? Ipv4Rules : Ipv6Rules;

    /// <summary>What the kernel holds after applying one family's rules to an empty namespace.</summary>
    public IptablesState State(IpFamily family) => IptablesState.FromRules(Rules(family));

    /// <summary>
    /// A chain's rules in evaluation order (after <c>-I</c> inserts). With no <paramref name="table"/>, the chain of that
    /// name in every table, in table order (ISTIO_INBOUND is in nat and, with TPROXY, in mangle). Empty if absent.
    /// </summary>
    public ChainState Chain(string name, IpFamily family = IpFamily.V4, Table? table = null)
    {
        IptablesState state = State(family);
        var rules = new List<Rule>();
        Table first = table ?? Table.Nat;
        bool found = false;
        foreach (ChainState chain in state.Chains)
        {
            if (chain.Name == name && (table is null || chain.Table == table))
            {
                if (!found)
                {
                    first = chain.Table;
                    found = true;
                }

                rules.AddRange(chain.Rules);
            }
        }

        return new ChainState(first, name, rules);
    }
}
