using System.Text;
using Capture.Init.Rules;

namespace Capture.Init.Iptables;

/// <summary>
/// Renders one family's rules as an <c>iptables-restore --noflush</c> payload (docs/rules.md, "Rendering"):
/// tables in the order filter, mangle, nat, raw, empty ones left out; in each, <c>-N</c> for every user chain in order of
/// first use as a rule's own chain, then jump targets not yet declared; the rules in generation order; <c>COMMIT</c>.
/// No <c>:CHAIN</c> lines, so <c>--noflush</c> leaves everything else in the namespace as it is.
/// </summary>
internal static class IptablesRestoreRenderer
{
    /// <summary>The payload, LF line endings, ending with <c>COMMIT\n</c>; empty when there are no rules.</summary>
    public static string Render(IReadOnlyList<Rule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var text = new StringBuilder(rules.Count * 80);
        Render(rules, text);
        return text.ToString();
    }

    /// <summary>Appends the payload to <paramref name="text"/>.</summary>
    public static void Render(IReadOnlyList<Rule> rules, StringBuilder text)
    {
        var declared = new List<string>();
        foreach (Table table in TableNames.All)
        {
            declared.Clear();
            bool any = false;
            foreach (Rule rule in rules)
            {
                if (rule.Table == table)
                {
                    any = true;
                    Declare(rule.Chain, declared);
                }
            }

            if (!any)
            {
                continue;
            }

            foreach (Rule rule in rules)
            {
                if (rule.Table == table && rule.JumpChain is { } target)
                {
                    Declare(target, declared);
                }
            }

            text.Append("* ").Append(table.Name()).Append('\n');
            foreach (string chain in declared)
            {
                text.Append("-N ").Append(chain).Append('\n');
            }

            foreach (Rule rule in rules)
            {
                if (rule.Table == table)
                {
                    text.Append(rule.ToRestoreLine()).Append('\n');
                }
            }

            text.Append("COMMIT\n");
        }
    }

    private static void Declare(string chain, List<string> declared)
    {
        if (!TableNames.IsBuiltInChain(chain) && !declared.Contains(chain))
        {
            declared.Add(chain);
        }
    }
}
