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
        bool[] wantKept = LongestCommonSubsequence(want, live, out bool[] liveKept);

        // Rules outside the common subsequence: planned-only ones are missing or moved, live-only ones unexpected or moved.
        var unmatchedLive = new List<int>();
        for (int j = 0; j < live.Count; j++)
        {
            if (!liveKept[j])
            {
                unmatchedLive.Add(j);
            }
        }

        for (int i = 0; i < want.Count; i++)
        {
            if (wantKept[i])
            {
                continue;
            }

            int found = unmatchedLive.FindIndex(j => live[j].Equals(want[i]));
            if (found >= 0)
            {
                int livePosition = unmatchedLive[found];
                unmatchedLive.RemoveAt(found);
                differences.Add(new RuleDifference
                {
                    Kind = DifferenceKind.MovedRule,
                    Family = family,
                    Table = planned.Table,
                    Chain = planned.Name,
                    Rule = want[i].ToRestoreLine(),
                    PlannedPosition = i + 1,
                    LivePosition = livePosition + 1,
                });
            }
            else
            {
                differences.Add(new RuleDifference
                {
                    Kind = DifferenceKind.MissingRule,
                    Family = family,
                    Table = planned.Table,
                    Chain = planned.Name,
                    Rule = want[i].ToRestoreLine(),
                    PlannedPosition = i + 1,
                });
            }
        }

        foreach (int j in unmatchedLive)
        {
            differences.Add(Unexpected(family, planned, live[j], j + 1));
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

    /// <summary>Marks the rules of a longest common subsequence of both lists (chains are short: O(n·m) is nothing).</summary>
    private static bool[] LongestCommonSubsequence(IReadOnlyList<Rule> left, IReadOnlyList<Rule> right, out bool[] rightKept)
    {
        int[,] length = new int[left.Count + 1, right.Count + 1];
        for (int i = left.Count - 1; i >= 0; i--)
        {
            for (int j = right.Count - 1; j >= 0; j--)
            {
                length[i, j] = left[i].Equals(right[j]) ? length[i + 1, j + 1] + 1 : Math.Max(length[i + 1, j], length[i, j + 1]);
            }
        }

        bool[] leftKept = new bool[left.Count];
        rightKept = new bool[right.Count];
        int a = 0;
        int b = 0;
        while (a < left.Count && b < right.Count)
        {
            if (left[a].Equals(right[b]))
            {
                leftKept[a++] = true;
                rightKept[b++] = true;
            }
            else if (length[a + 1, b] >= length[a, b + 1])
            {
                a++;
            }
            else
            {
                b++;
            }
        }

        return leftKept;
    }
}
