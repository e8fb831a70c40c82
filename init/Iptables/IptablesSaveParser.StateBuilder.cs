using Capture.Init.Rules;

namespace Capture.Init.Iptables;

internal static partial class IptablesSaveParser
{
    /// <summary>Collects chains in declaration order and replays <c>-A</c>/<c>-I</c> into them.</summary>
    private sealed class StateBuilder
    {
        private readonly List<(Table Table, string Name, string? Policy)> _order = [];
        private readonly Dictionary<(Table, string), List<Rule>> _rules = [];

        public bool IsDeclared(Table table, string chain) => _rules.ContainsKey((table, chain));

        public void Declare(Table table, string chain, string? policy)
        {
            if (!_rules.ContainsKey((table, chain)))
            {
                _rules.Add((table, chain), []);
                _order.Add((table, chain, policy));
            }
        }

        public void Add(Rule rule, int? insertPosition)
        {
            Declare(rule.Table, rule.Chain, null);
            List<Rule> chain = _rules[(rule.Table, rule.Chain)];
            if (insertPosition is int position)
            {
                chain.Insert(Math.Clamp(position - 1, 0, chain.Count), rule);
            }
            else
            {
                chain.Add(rule);
            }
        }

        public IptablesState Build()
        {
            var chains = new List<ChainState>(_order.Count);
            foreach (Table table in TableNames.All)
            {
                foreach ((Table chainTable, string name, string? policy) in _order)
                {
                    if (chainTable == table)
                    {
                        chains.Add(new ChainState(table, name, _rules[(table, name)], policy));
                    }
                }
            }

            return new IptablesState(chains);
        }
    }
}
