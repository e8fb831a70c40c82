namespace Capture.Init.Rules;

/// <summary>A chain with its rules in effective order (after <c>-I</c> inserts), as iptables-save would list it.</summary>
internal sealed class ChainState
{
    public ChainState(Table table, string name, IReadOnlyList<Rule> rules, string? policy = null)
    {
        Table = table;
        Name = name;
        Rules = rules;
        Policy = policy;
    }

    public Table Table { get; }

    public string Name { get; }

    /// <summary>True for PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING.</summary>
    public bool IsBuiltIn => TableNames.IsBuiltInChain(Name);

    /// <summary>The policy of a built-in chain as saved (<c>ACCEPT</c>); null for user chains and for plans.</summary>
    public string? Policy { get; }

    /// <summary>The rules, each without an insert position, in the order the kernel evaluates them.</summary>
    public IReadOnlyList<Rule> Rules { get; }

    public override string ToString() => Table.Name() + " " + Name + " (" + Rules.Count + " rules)";
}
