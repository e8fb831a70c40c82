namespace Capture.Init.Rules;

/// <summary>Table and chain names as iptables spells them.</summary>
internal static class TableNames
{
    /// <summary>
    /// Every table in declaration order. Not <c>Enum.GetValues&lt;Table&gt;()</c> (reflection, compiled by the JIT on each
    /// capture-init start), and a span so that <c>foreach</c> needs no generic enumerator either.
    /// </summary>
    public static ReadOnlySpan<Table> All => s_all;

    private static readonly Table[] s_all = [Table.Filter, Table.Mangle, Table.Nat, Table.Raw];

    /// <summary>The name iptables uses for <paramref name="table"/> (<c>nat</c>, <c>mangle</c>, …).</summary>
    public static string Name(this Table table) => table switch
    {
        Table.Filter => "filter",
        Table.Mangle => "mangle",
        Table.Nat => "nat",
        Table.Raw => "raw",
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, null),
    };

    /// <summary>Parses an iptables table name; false for tables capture-init does not use (e.g. <c>security</c>).</summary>
    public static bool TryParse(string name, out Table table)
    {
        switch (name)
        {
            case "filter": table = Table.Filter; return true;
            case "mangle": table = Table.Mangle; return true;
            case "nat": table = Table.Nat; return true;
            case "raw": table = Table.Raw; return true;
            default: table = default; return false;
        }
    }

    /// <summary>True for the kernel's built-in chains, which are never declared with <c>-N</c>.</summary>
    public static bool IsBuiltInChain(string chain) =>
        chain is "PREROUTING" or "INPUT" or "FORWARD" or "OUTPUT" or "POSTROUTING";
}
