using System.Text;
using Capture.Init.Rules;

namespace Capture.Init.Nftables;

/// <summary>What <c>--dry-run --native-nftables</c> prints: <c># nft -f -</c>, the transaction, then each routing change as <c># ip …</c>.</summary>
internal static class NftDryRunRenderer
{
    public static string Render(NftPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder(4096);
        text.Append(NftTransactionRenderer.DryRunHeader).Append('\n');
        NftTransactionRenderer.Render(plan, text);
        foreach (RouteCommand command in plan.RouteCommands)
        {
            text.Append("# ").Append(command.ToString()).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>What <c>--cleanup-only --dry-run --native-nftables</c> prints: Istio's clean-up (add then delete each table) and the routing deletions.</summary>
    public static string RenderCleanup(NftPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder(512);
        text.Append("# --cleanup-only would run (whatever the tables hold; the routing lines remove this configuration's):\n");
        text.Append(NftTransactionRenderer.DryRunHeader).Append('\n');
        NftTransactionRenderer.RenderDelete(NftTables.All, text);
        foreach (RouteCommand command in plan.RouteCommands)
        {
            text.Append("# ").Append(command.ToDeleteString()).Append('\n');
        }

        return text.ToString();
    }
}
