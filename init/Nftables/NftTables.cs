using Capture.Init.Rules;

namespace Capture.Init.Nftables;

/// <summary>
/// Istio's three <c>inet</c> tables (one table holds the IPv4 and IPv6 rules): their names, and the chains each may
/// declare in declaration order, base chains with their hook and priority exactly as Istio's transaction writes them.
/// </summary>
internal static class NftTables
{
    /// <summary>The tables in the order the transaction writes them.</summary>
    public static IReadOnlyList<Table> All { get; } = [Table.Nat, Table.Mangle, Table.Raw];

    /// <summary>The prefix every Istio table name starts with (what <c>--cleanup-only</c> removes).</summary>
    public const string Prefix = "istio-proxy-";

    public static string Name(Table table) => table switch
    {
        Table.Nat => "istio-proxy-nat",
        Table.Mangle => "istio-proxy-mangle",
        Table.Raw => "istio-proxy-raw",
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "no nftables table"),
    };

    /// <summary>The chains of <paramref name="table"/> in declaration order: (name, base-chain spec or null).</summary>
    public static IReadOnlyList<(string Name, string? BaseSpec)> Chains(Table table) => table switch
    {
        Table.Nat => s_nat,
        Table.Mangle => s_mangle,
        Table.Raw => s_raw,
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "no nftables table"),
    };

    /// <summary>The base chain's hook (<c>prerouting</c>/<c>output</c>) and numeric priority, or null for a regular chain.</summary>
    public static (string Hook, int Priority)? Hook(Table table, string chain) => (table, chain) switch
    {
        (Table.Nat, NftChains.Prerouting) => ("prerouting", -100),
        (Table.Nat, NftChains.Output) => ("output", -100),
        (Table.Mangle, NftChains.Prerouting) => ("prerouting", -150),
        (Table.Mangle, NftChains.Output) => ("output", -150),
        (Table.Raw, NftChains.Prerouting) => ("prerouting", -300),
        (Table.Raw, NftChains.Output) => ("output", -300),
        _ => null,
    };

    private static readonly (string, string?)[] s_nat =
    [
        (NftChains.Prerouting, "{ type nat hook prerouting priority -100 ; }"),
        (NftChains.Output, "{ type nat hook output priority -100 ; }"),
        (NftChains.Inbound, null),
        (NftChains.Redirect, null),
        (NftChains.InRedirect, null),
        (NftChains.OutputChain, null),
        (NftChains.OutputDns, null),
    ];

    private static readonly (string, string?)[] s_mangle =
    [
        (NftChains.Prerouting, "{ type filter hook prerouting priority -150 ; }"),
        (NftChains.Output, "{ type route hook output priority -150 ; }"),
        (NftChains.Divert, null),
        (NftChains.TProxy, null),
        (NftChains.Inbound, null),
        (NftChains.Drop, null),
    ];

    private static readonly (string, string?)[] s_raw =
    [
        (NftChains.Prerouting, "{ type filter hook prerouting priority -300 ; }"),
        (NftChains.Output, "{ type filter hook output priority -300 ; }"),
        (NftChains.Inbound, null),
        (NftChains.OutputDns, null),
    ];
}
