namespace Capture.Init.Rules;

/// <summary>
/// Owner matches keep user and group names as given (iptables resolves them when loading), while iptables-save prints
/// numbers. Before comparing a plan with live rules, map the plan's names to ids with the same user database iptables
/// used (e.g. h-explain's OwnerIds.FromSystem()), so a rule with <c>--gid-owner java</c> equals its saved
/// <c>--gid-owner 1001</c>.
/// </summary>
internal static class OwnerIdMapping
{
    /// <summary>
    /// The state with each owner match's id replaced by <paramref name="resolve"/>'s answer; ids it cannot resolve
    /// (null) stay as they are. Rules without owner matches are reused as they are.
    /// </summary>
    public static IptablesState WithOwnerIds(this IptablesState state, Func<OwnerKind, string, string?> resolve)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(resolve);
        var chains = new List<ChainState>(state.Chains.Count);
        foreach (ChainState chain in state.Chains)
        {
            var rules = new List<Rule>(chain.Rules.Count);
            foreach (Rule rule in chain.Rules)
            {
                rules.Add(rule.WithOwnerIds(resolve));
            }

            chains.Add(new ChainState(chain.Table, chain.Name, rules, chain.Policy));
        }

        return new IptablesState(chains);
    }

    /// <summary>The rule with its owner ids mapped (see <see cref="WithOwnerIds(IptablesState, Func{OwnerKind, string, string?})"/>).</summary>
    public static Rule WithOwnerIds(this Rule rule, Func<OwnerKind, string, string?> resolve)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(resolve);
        Match[]? mapped = null;
        for (int i = 0; i < rule.Matches.Count; i++)
        {
            if (rule.Matches[i] is OwnerMatch owner && resolve(owner.Kind, owner.Id) is { } id && id != owner.Id)
            {
                mapped ??= [.. rule.Matches];
                mapped[i] = owner with { Id = id };
            }
        }

        return mapped is null ? rule : new Rule(rule.Table, rule.Chain, mapped, rule.Target, rule.InsertPosition);
    }
}
