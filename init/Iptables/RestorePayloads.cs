using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Capture.Init.Rules;

namespace Capture.Init.Iptables;

/// <summary>
/// The <c>iptables-restore --noflush</c> payloads besides the plan itself: the <c>-C</c> check, clean-up and the
/// reconcile guard. Pure text from the plan and the live state, so each step costs exactly one process.
/// </summary>
internal static partial class RestorePayloads
{
    /// <summary>
    /// Comment carried by the guard rules, so a guard left behind by a killed run is recognised and removed by the
    /// next clean-up. No spaces: iptables-save prints it unquoted and the parser keeps it as one token.
    /// </summary>
    public const string GuardComment = "capture-init-reconcile-guard";

    private static readonly string[] s_guardedChains = ["INPUT", "FORWARD", "OUTPUT"];

    /// <summary>
    /// <c>-C</c> for every planned rule (in its live, appended form), per table. iptables-restore stops at the first
    /// rule the kernel does not hold and names its line; <paramref name="lines"/> maps line numbers back to rules.
    /// </summary>
    public static string Check(IptablesState plan, out IReadOnlyDictionary<int, Rule> lines)
    {
        var text = new StringBuilder();
        var map = new Dictionary<int, Rule>();
        int line = 0;
        foreach (Table table in TableNames.All)
        {
            bool any = false;
            foreach (ChainState chain in plan.Chains)
            {
                if (chain.Table != table)
                {
                    continue;
                }

                foreach (Rule rule in chain.Rules)
                {
                    if (!any)
                    {
                        text.Append('*').Append(table.Name()).Append('\n');
                        line++;
                        any = true;
                    }

                    text.Append(Replace(rule.ToRestoreLine(), "-C")).Append('\n');
                    map[++line] = rule;
                }
            }

            if (any)
            {
                text.Append("COMMIT\n");
                line++;
            }
        }

        lines = map;
        return text.ToString();
    }

    /// <summary>
    /// Removes what is ours from the live state, one table block each: first every rule of ours in a built-in chain
    /// (planned rules, jumps to ISTIO_* chains, guard rules), then <c>-F</c> and <c>-X</c> of each of our chains. Built
    /// from what is live, so no line names a missing rule and the payload succeeds twice in a row (the second is empty).
    /// </summary>
    /// <param name="live">The parsed -save output.</param>
    /// <param name="plan">The plan: its rules in built-in chains and its chains count as ours.</param>
    /// <param name="liveText">The raw -save output, for guard rules (matched by comment, whatever the parser makes of them).</param>
    public static string Cleanup(IptablesState live, IptablesState plan, string liveText)
    {
        var text = new StringBuilder();
        foreach (Table table in TableNames.All)
        {
            var deletes = new List<string>();
            var chains = new List<string>();
            if (table == Table.Filter)
            {
                deletes.AddRange(GuardLines(liveText));
            }

            foreach (ChainState chain in live.Chains)
            {
                if (chain.Table != table)
                {
                    continue;
                }

                if (chain.IsBuiltIn)
                {
                    foreach (Rule rule in PlanOwnership.OursInBuiltIn(chain, plan))
                    {
                        deletes.Add(Replace(rule.ToRestoreLine(), "-D"));
                    }
                }
                else if (PlanOwnership.IsOurChain(chain.Name, table, plan))
                {
                    chains.Add(chain.Name);
                }
            }

            if (deletes.Count == 0 && chains.Count == 0)
            {
                continue;
            }

            text.Append('*').Append(table.Name()).Append('\n');
            foreach (string delete in deletes)
            {
                text.Append(delete).Append('\n');
            }

            // Flush all before deleting any: our chains jump to each other, and -X refuses a chain still referenced.
            foreach (string chain in chains)
            {
                text.Append("-F ").Append(chain).Append('\n');
            }

            foreach (string chain in chains)
            {
                text.Append("-X ").Append(chain).Append('\n');
            }

            text.Append("COMMIT\n");
        }

        return text.ToString();
    }

    /// <summary>DROP everything in and out while our rules are replaced, so no connection slips past uncaptured.</summary>
    public static string Guard()
    {
        var text = new StringBuilder("*filter\n");
        foreach (string chain in s_guardedChains)
        {
            text.Append("-I ").Append(chain).Append(" 1 -m comment --comment ").Append(GuardComment).Append(" -j DROP\n");
        }

        return text.Append("COMMIT\n").ToString();
    }

    /// <summary>Removes the rules <see cref="Guard"/> inserted.</summary>
    public static string Unguard()
    {
        var text = new StringBuilder("*filter\n");
        foreach (string chain in s_guardedChains)
        {
            text.Append("-D ").Append(chain).Append(" -m comment --comment ").Append(GuardComment).Append(" -j DROP\n");
        }

        return text.Append("COMMIT\n").ToString();
    }

    /// <summary>
    /// The tables of <paramref name="payload"/> whose COMMIT comes before <paramref name="failedLine"/> (1-based): what
    /// iptables-restore had committed when that line failed. Null when the failing line is unknown (all may be in).
    /// </summary>
    public static IReadOnlySet<Table>? TablesCommittedBefore(string payload, int? failedLine)
    {
        if (failedLine is not { } failed)
        {
            return null;
        }

        var committed = new HashSet<Table>();
        Table? current = null;
        int line = 0;
        foreach (string text in payload.Split('\n'))
        {
            line++;
            if (line >= failed)
            {
                break;
            }

            if (text.StartsWith('*') && TableNames.TryParse(text[1..].Trim(), out Table table))
            {
                current = table;
            }
            else if (text == "COMMIT" && current is { } done)
            {
                committed.Add(done);
                current = null;
            }
        }

        return committed;
    }

    /// <summary>The line number iptables-restore names in "line N failed", or null.</summary>
    public static int? FailedLine(string stderr)
    {
        System.Text.RegularExpressions.Match match = FailedLineRegex().Match(stderr);
        return match.Success ? int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : null;
    }

    private static IEnumerable<string> GuardLines(string liveText)
    {
        foreach (string line in liveText.Split('\n'))
        {
            string trimmed = line.Trim();
            if (trimmed.StartsWith("-A ", StringComparison.Ordinal) && trimmed.Contains(GuardComment, StringComparison.Ordinal))
            {
                yield return Replace(trimmed, "-D");
            }
        }
    }

    /// <summary>Turns <c>-A CHAIN spec</c> into <c>-C CHAIN spec</c> or <c>-D CHAIN spec</c>.</summary>
    private static string Replace(string appendLine, string command)
    {
        if (!appendLine.StartsWith("-A ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"expected an appended rule, got '{appendLine}'");
        }

        return command + appendLine[2..];
    }

    [GeneratedRegex(@"line (\d+) failed")]
    private static partial Regex FailedLineRegex();
}
