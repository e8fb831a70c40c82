using Capture.Init.Rules;

namespace Capture.Init.Nftables;

/// <summary>
/// The Istio nft tables as the kernel holds them (read with <c>nft -j list table</c>) or would hold them after a plan
/// is applied: which tables exist and, per table, the chains in declaration order with their rules in evaluation order.
/// </summary>
internal sealed class NftState
{
    public NftState(IReadOnlyList<Table> tables, IReadOnlyList<NftChainState> chains)
    {
        Tables = tables;
        Chains = chains;
    }

    public static NftState Empty { get; } = new([], []);

    /// <summary>The Istio tables present, in <see cref="NftTables.All"/> order.</summary>
    public IReadOnlyList<Table> Tables { get; }

    public IReadOnlyList<NftChainState> Chains { get; }

    public bool IsEmpty => Tables.Count == 0;

    /// <summary>The chains of one table, in declaration order.</summary>
    public IEnumerable<NftChainState> ChainsOf(Table table)
    {
        foreach (NftChainState chain in Chains)
        {
            if (chain.Table == table)
            {
                yield return chain;
            }
        }
    }

    /// <summary>The chain, or null when the table does not declare it.</summary>
    public NftChainState? Chain(Table table, string name)
    {
        foreach (NftChainState chain in Chains)
        {
            if (chain.Table == table && chain.Name == name)
            {
                return chain;
            }
        }

        return null;
    }

    /// <summary>The state with owner names mapped to ids (see <see cref="NftRule.WithOwnerIds"/>).</summary>
    public NftState WithOwnerIds(Func<OwnerKind, string, string?> resolve)
    {
        var chains = new List<NftChainState>(Chains.Count);
        foreach (NftChainState chain in Chains)
        {
            var rules = new List<NftRule>(chain.Rules.Count);
            foreach (NftRule rule in chain.Rules)
            {
                rules.Add(rule.WithOwnerIds(resolve));
            }

            chains.Add(chain with { Rules = rules });
        }

        return new NftState(Tables, chains);
    }

    /// <summary>
    /// What applying <paramref name="rules"/> (in generation order) to empty tables leaves: <c>add rule</c> appends,
    /// <c>insert rule … index N</c> puts the rule at N; chains and tables as the transaction declares them (a chain only
    /// if it owns a rule, a table only if it has one).
    /// </summary>
    public static NftState FromRules(IReadOnlyList<NftRule> rules)
    {
        var tables = new List<Table>(3);
        var chains = new List<NftChainState>();
        foreach (Table table in NftTables.All)
        {
            bool any = false;
            foreach ((string name, _) in NftTables.Chains(table))
            {
                var chainRules = new List<NftRule>();
                foreach (NftRule rule in rules)
                {
                    if (rule.Table != table || rule.Chain != name)
                    {
                        continue;
                    }

                    if (rule.Index is { } index && index < chainRules.Count)
                    {
                        chainRules.Insert(index, rule.WithoutIndex());
                    }
                    else
                    {
                        chainRules.Add(rule.WithoutIndex());
                    }
                }

                if (chainRules.Count > 0)
                {
                    chains.Add(new NftChainState(table, name, chainRules));
                    any = true;
                }
            }

            if (any)
            {
                tables.Add(table);
            }
        }

        return new NftState(tables, chains);
    }
}
