using System.Text;
using Capture.Init.Rules;

namespace Capture.Init.Nftables;

/// <summary>
/// Writes an <see cref="NftPlan"/> as the <c>nft -f -</c> transaction Istio writes (knftables' <c>Transaction.String()</c>):
/// per table with rules, in the order nat, mangle, raw: <c>add table</c>, <c>flush table</c>, <c>add chain</c> for each
/// chain that owns a rule, then one line per rule in generation order. Istio's insert→append rule: an insert whose index
/// is not below the number of rules already written to that chain is written as <c>add rule</c>.
/// </summary>
internal static class NftTransactionRenderer
{
    /// <summary>The header <c>--dry-run</c> prints before the transaction.</summary>
    public const string DryRunHeader = "# nft -f -";

    public static string Render(NftPlan plan)
    {
        var text = new StringBuilder(4096);
        Render(plan, text);
        return text.ToString();
    }

    public static void Render(NftPlan plan, StringBuilder text)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(text);
        foreach (Table table in plan.Tables)
        {
            string name = NftTables.Name(table);
            text.Append("add table inet ").Append(name).Append('\n');
            text.Append("flush table inet ").Append(name).Append('\n');
            foreach ((string chain, string? baseSpec) in NftTables.Chains(table))
            {
                if (plan.State.Chain(table, chain) is null)
                {
                    continue;
                }

                text.Append("add chain inet ").Append(name).Append(' ').Append(chain);
                if (baseSpec is not null)
                {
                    text.Append(' ').Append(baseSpec);
                }

                text.Append('\n');
            }

            var written = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (NftRule rule in plan.Rules)
            {
                if (rule.Table != table)
                {
                    continue;
                }

                written.TryGetValue(rule.Chain, out int count);
                if (rule.Index is { } index && count > 0 && index < count)
                {
                    text.Append("insert rule inet ").Append(name).Append(' ').Append(rule.Chain).Append(" index ").Append(index);
                }
                else
                {
                    text.Append("add rule inet ").Append(name).Append(' ').Append(rule.Chain);
                }

                text.Append(' ').Append(rule.ToString()).Append('\n');
                written[rule.Chain] = count + 1;
            }
        }
    }

    /// <summary>
    /// Removes tables, as Istio's clean-up does: <c>add table</c> first, so that <c>delete table</c> cannot fail on a
    /// table that is not there (running it twice is safe).
    /// </summary>
    public static void RenderDelete(IEnumerable<Table> tables, StringBuilder text)
    {
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentNullException.ThrowIfNull(text);
        foreach (Table table in tables)
        {
            string name = NftTables.Name(table);
            text.Append("add table inet ").Append(name).Append('\n');
            text.Append("delete table inet ").Append(name).Append('\n');
        }
    }
}
