using Capture.Init.Rules;

namespace Capture.Init.Nftables;

/// <summary>
/// The nftables plan of one configuration: the rules of all three <c>inet</c> tables in generation order (IPv6 rules
/// right after their IPv4 twin), the routing changes and the warnings, which are the iptables plan's own.
/// </summary>
internal sealed class NftPlan
{
    public NftPlan(IReadOnlyList<NftRule> rules, IReadOnlyList<RouteCommand> routeCommands, IReadOnlyList<string> warnings)
    {
        Rules = rules;
        RouteCommands = routeCommands;
        Warnings = warnings;
        State = NftState.FromRules(rules);
    }

    public IReadOnlyList<NftRule> Rules { get; }

    public IReadOnlyList<RouteCommand> RouteCommands { get; }

    public IReadOnlyList<string> Warnings { get; }

    /// <summary>What the kernel holds once the plan is applied.</summary>
    public NftState State { get; }

    /// <summary>The tables the plan writes (those with at least one rule), in transaction order.</summary>
    public IReadOnlyList<Table> Tables => State.Tables;
}
