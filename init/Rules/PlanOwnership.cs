namespace Capture.Init.Rules;

/// <summary>
/// What in a namespace belongs to a plan: the ISTIO_* chains and the plan's user chains, and in built-in chains the
/// planned rules plus any rule jumping into one of those chains. The state check and the clean-up payload both ask.
/// </summary>
internal static class PlanOwnership
{
    /// <summary>The rules of a live built-in chain that belong to us: planned ones and jumps into our chains.</summary>
    public static IReadOnlyList<Rule> OursInBuiltIn(ChainState live, IptablesState plan)
    {
        // A set, not a list scan: a built-in chain holds one rule per -c/-k NIC, and there may be thousands.
        var planned = new HashSet<Rule>(plan.Rules(live.Table, live.Name));
        var ours = new List<Rule>();
        foreach (Rule rule in live.Rules)
        {
            if (planned.Contains(rule) || IsOurChain(rule.JumpChain, live.Table, plan))
            {
                ours.Add(rule);
            }
        }

        return ours;
    }

    /// <summary>True when <paramref name="chain"/> is one of the ISTIO_* chains or a user chain of the plan.</summary>
    public static bool IsOurChain(string? chain, Table table, IptablesState plan)
        => chain is not null
           && !TableNames.IsBuiltInChain(chain)
           && (ChainNames.IsOurs(chain) || plan.Find(table, chain) is not null);
}
