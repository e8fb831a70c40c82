namespace Capture.Init.Rules;

/// <summary>Table and chain names as iptables spells them.</summary>
internal static class TableNames
{
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
