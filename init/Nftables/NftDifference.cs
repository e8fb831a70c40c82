using Capture.Init.Diff;
using Capture.Init.Rules;

namespace Capture.Init.Nftables;

/// <summary>
/// One way the live Istio nft tables depart from the plan. Chain-level kinds and rule kinds are
/// <see cref="DifferenceKind"/>'s; <see cref="TableLevel"/> marks a whole table missing or not planned (then
/// <see cref="DifferenceKind.MissingChain"/> / <see cref="DifferenceKind.UnexpectedChain"/> with an empty chain).
/// Positions are 0-based, as nft's <c>index</c> counts.
/// </summary>
internal sealed record NftDifference(DifferenceKind Kind, Table Table, string Chain, string? Rule = null, int? PlannedIndex = null, int? LiveIndex = null)
{
    public bool TableLevel => Chain.Length == 0;

    public override string ToString()
    {
        string table = NftTables.Name(Table);
        if (TableLevel)
        {
            return Kind == DifferenceKind.MissingChain
                ? $"missing table inet {table}"
                : $"unexpected table inet {table} (the plan has no rule in it)";
        }

        return Kind switch
        {
            DifferenceKind.MissingChain => $"{table} {Chain}: missing chain",
            DifferenceKind.UnexpectedChain => $"{table} {Chain}: unexpected chain (not in the plan)",
            DifferenceKind.MissingRule => $"{table} {Chain}: missing     #{PlannedIndex} {Rule}",
            DifferenceKind.UnexpectedRule => $"{table} {Chain}: unexpected  #{LiveIndex} {Rule}",
            _ => $"{table} {Chain}: moved       {Rule} (planned #{PlannedIndex}, live #{LiveIndex})",
        };
    }
}
