using Capture.Init.Explain;
using Capture.Init.Rules;

namespace Capture.Init.Nftables;

/// <summary>
/// nft's side of explain (see <see cref="NftExplainRules"/>): Istio's base chains per hook in priority order (raw -300,
/// mangle -150, nat -100, from <see cref="NftTables.Hook"/>), table and chain names as nft lists them, and each rule's
/// own nft text.
/// </summary>
internal sealed class NftNotation : IRuleNotation
{
    private static readonly IReadOnlyList<Table> s_prerouting = ByPriority(NftChains.Prerouting);
    private static readonly IReadOnlyList<Table> s_output = ByPriority(NftChains.Output);

    // By reference: two rules with the same text in one chain are still two rules with their own number.
    private readonly Dictionary<Rule, NftRule> _origin = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, string> _chains = new(StringComparer.Ordinal);

    public string Backend => "nftables";

    /// <summary>Istio's tables have base chains on prerouting and output only; input and postrouting have none.</summary>
    public IReadOnlyList<Table> Tables(Hook hook) => hook switch
    {
        Hook.Prerouting => s_prerouting,
        Hook.Output => s_output,
        _ => [],
    };

    public string Table(Table table) => table is Rules.Table.Nat or Rules.Table.Mangle or Rules.Table.Raw ? NftTables.Name(table) : table.Name();

    public string Chain(string chain) => _chains.TryGetValue(chain, out string? nft) ? nft : chain;

    /// <summary>The rule's nft text (<c>ip daddr 10.0.0.0/8 counter return</c>).</summary>
    public string Rule(Rule rule) => _origin.TryGetValue(rule, out NftRule? nft) ? nft.ToString() : rule.ToString();

    public string Policy(string policy) => policy.ToLowerInvariant();

    /// <summary>
    /// The model's name for an nft chain: base chains by their hook's iptables name (<c>output</c> → <c>OUTPUT</c>, where
    /// the walk looks for them), regular chains in iptables' spelling (<c>istio-output</c> → <c>ISTIO_OUTPUT</c>), which
    /// is how the verdict recognises the redirect, inbound and DNS chains.
    /// </summary>
    public string ModelChain(string nft)
    {
        string model = nft switch
        {
            NftChains.Prerouting => "PREROUTING",
            NftChains.Output => "OUTPUT",
            _ => nft.Replace('-', '_').ToUpperInvariant(),
        };
        _chains.TryAdd(model, nft);
        return model;
    }

    internal void Remember(Rule rule, NftRule nft) => _origin[rule] = nft;

    private static Table[] ByPriority(string hook)
    {
        var tables = new List<(int Priority, Table Table)>(3);
        foreach (Table table in NftTables.All)
        {
            if (NftTables.Hook(table, hook) is { } spec)
            {
                tables.Add((spec.Priority, table));
            }
        }

        tables.Sort((a, b) => a.Priority.CompareTo(b.Priority));
        var ordered = new Table[tables.Count];
        for (int i = 0; i < ordered.Length; i++)
        {
            ordered[i] = tables[i].Table;
        }

        return ordered;
    }
}
