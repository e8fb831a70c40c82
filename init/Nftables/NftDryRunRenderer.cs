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
}
