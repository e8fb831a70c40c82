using Capture.Init.Diff;
using Capture.Init.Rules;

namespace Capture.Init.Nftables;

/// <summary>
/// Compares the Istio nft tables a plan would leave with the live ones. Every Istio table is ours, so everything in
/// it is compared strictly: tables, chains (declared or not), and each chain's rules in order. A rule present on both
/// sides but out of the planned order is "moved" (<see cref="SequenceAlignment"/>: linear unless the chains differ widely).
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
        SequenceAlignment.Align(planned, live, out bool[] inOrder, out bool[] liveClaimed, out int[] foundAt);
        for (int i = 0; i < planned.Count; i++)
        {
            if (inOrder[i])
            {
                continue;
            }

            differences.Add(foundAt[i] < 0
                ? new NftDifference(DifferenceKind.MissingRule, table, chain, planned[i].ToString(), PlannedIndex: i)
                : new NftDifference(DifferenceKind.MovedRule, table, chain, planned[i].ToString(), i, foundAt[i]));
        }

        for (int j = 0; j < live.Count; j++)
        {
            if (!liveClaimed[j])
            {
                differences.Add(new NftDifference(DifferenceKind.UnexpectedRule, table, chain, live[j].ToString(), LiveIndex: j));
            }
        }
    }
}
