using Capture.Init.Rules;

namespace Capture.Init.Diff;

/// <summary>
/// Compares the rules a plan would install with the live rules, chain by chain.
/// </summary>
/// <remarks>
/// Chains the plan writes to are compared strictly: every live rule must be planned, in the planned order (a foreign
/// rule in front of ours changes what happens to traffic). Chains the plan does not write to are only checked for
/// our own traces: a chain named ISTIO_* that is not planned, or a rule jumping to one. Other tools' chains are not ours
/// to judge. Rule equality is the model's canonical one, so iptables-save's spelling does not count as drift.
/// </remarks>
internal static class RuleSetDiffer
{
    private const string OurChainPrefix = "ISTIO_";

    /// <param name="plan">What the flags would install.</param>
    /// <param name="live">The live rules of a family.</param>
    /// <param name="ownerIds">
    /// Turns a user or group name of an owner match into the number iptables-save prints (null: leave it); without it,
    /// a plan written with names (ISTIO_OUTBOUND_OWNER_GROUPS=builders) would always look drifted.
    /// </param>
    public static DiffReport Compare(RuleSet plan, Func<IpFamily, IptablesState> live, Func<OwnerKind, string, string?>? ownerIds = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(live);
        var differences = new List<RuleDifference>();
        int chains = 0;
        int rules = 0;
        foreach (IpFamily family in plan.Families)
        {
            IptablesState planned = ownerIds is null ? plan.State(family) : plan.State(family).WithOwnerIds(ownerIds);
            chains += planned.Chains.Count;
            rules += planned.Chains.Sum(c => c.Rules.Count);
            differences.AddRange(Compare(family, planned, live(family)));
        }

        return new DiffReport { Differences = differences, Families = plan.Families, PlannedChains = chains, PlannedRules = rules };
    }

    public static IReadOnlyList<RuleDifference> Compare(IpFamily family, IptablesState planned, IptablesState live)
    {
        var differences = new List<RuleDifference>();
        foreach (ChainState chain in planned.Chains)
        {
            ChainState? actual = live.Find(chain.Table, chain.Name);
            if (actual is null && !chain.IsBuiltIn)
            {
                differences.Add(new RuleDifference { Kind = DifferenceKind.MissingChain, Family = family, Table = chain.Table, Chain = chain.Name });
            }

            CompareRules(family, chain, actual?.Rules ?? [], differences);
        }

        foreach (ChainState chain in live.Chains)
        {
            if (planned.Find(chain.Table, chain.Name) is not null)
            {
                continue;
            }

            if (!chain.IsBuiltIn && chain.Name.StartsWith(OurChainPrefix, StringComparison.Ordinal))
            {
                differences.Add(new RuleDifference { Kind = DifferenceKind.UnexpectedChain, Family = family, Table = chain.Table, Chain = chain.Name });
                continue;
            }

            for (int i = 0; i < chain.Rules.Count; i++)
            {
                if (chain.Rules[i].JumpChain is { } target && target.StartsWith(OurChainPrefix, StringComparison.Ordinal))
                {
                    differences.Add(Unexpected(family, chain, chain.Rules[i], i + 1));
                }
            }
        }

        return differences;
    }

    private static void CompareRules(IpFamily family, ChainState planned, IReadOnlyList<Rule> live, List<RuleDifference> differences)
    {
        IReadOnlyList<Rule> want = planned.Rules;
        SequenceAlignment.Align(want, live, out bool[] wantKept, out bool[] liveClaimed, out int[] foundAt);

        // Rules outside the common subsequence: planned-only ones are missing or moved, live-only ones unexpected.
        for (int i = 0; i < want.Count; i++)
        {
            if (wantKept[i])
            {
                continue;
            }

            differences.Add(new RuleDifference
            {
                Kind = foundAt[i] < 0 ? DifferenceKind.MissingRule : DifferenceKind.MovedRule,
                Family = family,
                Table = planned.Table,
                Chain = planned.Name,
                Rule = want[i].ToRestoreLine(),
                PlannedPosition = i + 1,
                LivePosition = foundAt[i] < 0 ? null : foundAt[i] + 1,
            });
        }

        for (int j = 0; j < live.Count; j++)
        {
            if (!liveClaimed[j])
            {
                differences.Add(Unexpected(family, planned, live[j], j + 1));
            }
        }
    }

    private static RuleDifference Unexpected(IpFamily family, ChainState chain, Rule rule, int position) => new()
    {
        Kind = DifferenceKind.UnexpectedRule,
        Family = family,
        Table = chain.Table,
        Chain = chain.Name,
        Rule = rule.ToRestoreLine(),
        LivePosition = position,
    };
}
