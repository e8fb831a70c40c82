using Capture.Init.Diff;
using Capture.Init.Rules;

namespace Capture.Init.Nftables;

/// <summary>
/// Compares the Istio nft tables a plan would leave with the live ones. Every Istio table is ours, so everything in
/// it is compared strictly: tables, chains (declared or not), and each chain's rules in order. A rule present on both
/// sides but out of the planned order is "moved" (found with a longest common subsequence, as small as these chains are).
/// </summary>
internal static class NftDiffer
{
    public static IReadOnlyList<NftDifference> Compare(NftState planned, NftState live)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(live);
        var differences = new List<NftDifference>();
        foreach (Table table in NftTables.All)
        {
            bool inPlan = planned.Tables.Contains(table);
            bool isLive = live.Tables.Contains(table);
            if (inPlan && !isLive)
            {
                differences.Add(new NftDifference(DifferenceKind.MissingChain, table, ""));
                continue;
            }

            if (!inPlan && isLive)
            {
                differences.Add(new NftDifference(DifferenceKind.UnexpectedChain, table, ""));
                continue;
            }

            foreach (NftChainState chain in planned.ChainsOf(table))
            {
                if (live.Chain(table, chain.Name) is not { } actual)
                {
                    differences.Add(new NftDifference(DifferenceKind.MissingChain, table, chain.Name));
                    for (int i = 0; i < chain.Rules.Count; i++)
                    {
                        differences.Add(new NftDifference(DifferenceKind.MissingRule, table, chain.Name, chain.Rules[i].ToString(), PlannedIndex: i));
                    }

                    continue;
                }

                CompareRules(table, chain.Name, chain.Rules, actual.Rules, differences);
            }

            foreach (NftChainState chain in live.ChainsOf(table))
            {
                if (planned.Chain(table, chain.Name) is null)
                {
                    differences.Add(new NftDifference(DifferenceKind.UnexpectedChain, table, chain.Name));
                    for (int i = 0; i < chain.Rules.Count; i++)
                    {
                        differences.Add(new NftDifference(DifferenceKind.UnexpectedRule, table, chain.Name, chain.Rules[i].ToString(), LiveIndex: i));
                    }
                }
            }
        }

        return differences;
    }

    private static void CompareRules(Table table, string chain, IReadOnlyList<NftRule> planned, IReadOnlyList<NftRule> live, List<NftDifference> differences)
    {
        // Longest common subsequence: what is in order on both sides.
        int n = planned.Count;
        int m = live.Count;
        int[,] lengths = new int[n + 1, m + 1];
        for (int i = n - 1; i >= 0; i--)
        {
            for (int j = m - 1; j >= 0; j--)
            {
                lengths[i, j] = planned[i].Equals(live[j]) ? lengths[i + 1, j + 1] + 1 : Math.Max(lengths[i + 1, j], lengths[i, j + 1]);
            }
        }

        bool[] plannedInOrder = new bool[n];
        bool[] liveInOrder = new bool[m];
        for (int i = 0, j = 0; i < n && j < m;)
        {
            if (planned[i].Equals(live[j]))
            {
                plannedInOrder[i++] = true;
                liveInOrder[j++] = true;
            }
            else if (lengths[i + 1, j] >= lengths[i, j + 1])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        bool[] liveClaimed = (bool[])liveInOrder.Clone();
        for (int i = 0; i < n; i++)
        {
            if (plannedInOrder[i])
            {
                continue;
            }

            int found = -1;
            for (int j = 0; j < m; j++)
            {
                if (!liveClaimed[j] && planned[i].Equals(live[j]))
                {
                    found = j;
                    break;
                }
            }

            if (found < 0)
            {
                differences.Add(new NftDifference(DifferenceKind.MissingRule, table, chain, planned[i].ToString(), PlannedIndex: i));
            }
            else
            {
                liveClaimed[found] = true;
                differences.Add(new NftDifference(DifferenceKind.MovedRule, table, chain, planned[i].ToString(), i, found));
            }
        }

        for (int j = 0; j < m; j++)
        {
            if (!liveClaimed[j])
            {
                differences.Add(new NftDifference(DifferenceKind.UnexpectedRule, table, chain, live[j].ToString(), LiveIndex: j));
            }
        }
    }
}
