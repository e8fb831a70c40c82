using System.Text;

namespace Capture.Init.Rules;

/// <summary>
/// The rules of one family as the kernel holds them: per table, each chain with its rules in evaluation order. Built
/// from a plan (<see cref="FromRules"/>, replaying <c>-A</c>/<c>-I</c>) or parsed from iptables-save
/// (<c>Iptables.IptablesSaveParser</c>), so the two compare with <see cref="Equals(IptablesState?)"/>.
/// </summary>
internal sealed class IptablesState : IEquatable<IptablesState>
{
    public IptablesState(IReadOnlyList<ChainState> chains) => Chains = chains;

    /// <summary>Empty: no chains.</summary>
    public static IptablesState Empty { get; } = new([]);

    /// <summary>Every chain, grouped by table in table order; within a table, in order of declaration or first use.</summary>
    public IReadOnlyList<ChainState> Chains { get; }

    /// <summary>The chain, or null when this state has no such chain.</summary>
    public ChainState? Find(Table table, string chain)
    {
        foreach (ChainState state in Chains)
        {
            if (state.Table == table && state.Name == chain)
            {
                return state;
            }
        }

        return null;
    }

    /// <summary>This state restricted to the chains of <paramref name="tables"/>.</summary>
    public IptablesState InTables(IReadOnlySet<Table> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var chains = new List<ChainState>(Chains.Count);
        foreach (ChainState chain in Chains)
        {
            if (tables.Contains(chain.Table))
            {
                chains.Add(chain);
            }
        }

        return new IptablesState(chains);
    }

    /// <summary>The rules of a chain in evaluation order; empty when the chain does not exist.</summary>
    public IReadOnlyList<Rule> Rules(Table table, string chain) => Find(table, chain)?.Rules ?? [];

    /// <summary>
    /// The state a plan produces in an empty namespace: each rule appended, or inserted at its position, in generation
    /// order; user chains exist from their first use (as a rule's chain or as a jump target).
    /// </summary>
    public static IptablesState FromRules(IEnumerable<Rule> rules)
    {
        var order = new List<(Table Table, string Name)>();
        // Keyed by "table chain": a tuple key would make the runtime build EqualityComparer<(Table, string)> by
        // reflection and JIT it, on every capture-init start.
        var contents = new Dictionary<string, List<Rule>>(StringComparer.Ordinal);

        List<Rule> ChainOf(Table table, string name)
        {
            string key = string.Concat(table.Name(), " ", name);
            if (!contents.TryGetValue(key, out List<Rule>? list))
            {
                list = [];
                contents.Add(key, list);
                order.Add((table, name));
            }

            return list;
        }

        foreach (Rule rule in rules)
        {
            List<Rule> chain = ChainOf(rule.Table, rule.Chain);
            if (rule.InsertPosition is { } position)
            {
                chain.Insert(Math.Min(position - 1, chain.Count), rule.WithoutPosition());
            }
            else
            {
                chain.Add(rule);
            }

            if (rule.JumpChain is { } target && !TableNames.IsBuiltInChain(target))
            {
                ChainOf(rule.Table, target);
            }
        }

        var chains = new List<ChainState>(order.Count);
        foreach (Table table in TableNames.All)
        {
            foreach ((Table chainTable, string name) in order)
            {
                if (chainTable == table)
                {
                    chains.Add(new ChainState(table, name, contents[string.Concat(table.Name(), " ", name)]));
                }
            }
        }

        return new IptablesState(chains);
    }

    /// <summary>
    /// Equal when both have the same user-defined chains and every chain has the same rules in the same order. Empty
    /// built-in chains (iptables-save lists them all) and policies do not count.
    /// </summary>
    public bool Equals(IptablesState? other)
    {
        if (other is null)
        {
            return false;
        }

        return Covers(this, other) && Covers(other, this);

        static bool Covers(IptablesState left, IptablesState right)
        {
            foreach (ChainState chain in left.Chains)
            {
                if (chain.IsBuiltIn && chain.Rules.Count == 0)
                {
                    continue;
                }

                ChainState? match = right.Find(chain.Table, chain.Name);
                if (match is null || !chain.Rules.SequenceEqual(match.Rules))
                {
                    return false;
                }
            }

            return true;
        }
    }

    public override bool Equals(object? obj) => Equals(obj as IptablesState);

    public override int GetHashCode()
    {
        int hash = 0;
        foreach (ChainState chain in Chains)
        {
            if (!chain.IsBuiltIn || chain.Rules.Count > 0)
            {
                hash ^= HashCode.Combine(chain.Table, chain.Name, chain.Rules.Count);
            }
        }

        return hash;
    }

    /// <summary>iptables-save-like text (no counters, no comments), for test failure messages and diffs.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (Table table in TableNames.All)
        {
            bool any = false;
            foreach (ChainState chain in Chains)
            {
                if (chain.Table != table)
                {
                    continue;
                }

                if (!any)
                {
                    text.Append('*').Append(table.Name()).Append('\n');
                    any = true;
                }

                text.Append(':').Append(chain.Name).Append(' ').Append(chain.Policy ?? "-").Append('\n');
            }

            foreach (ChainState chain in Chains)
            {
                if (chain.Table == table)
                {
                    foreach (Rule rule in chain.Rules)
                    {
                        text.Append(rule.ToRestoreLine()).Append('\n');
                    }
                }
            }

            if (any)
            {
                text.Append("COMMIT\n");
            }
        }

        return text.ToString();
    }
}
