using Capture.Init.Rules;

namespace Capture.Init.Diff;

/// <summary>Writes a <see cref="DiffReport"/> for people: one block per family, table and chain, then a summary line.</summary>
internal static class DiffTextWriter
{
    public static void Write(DiffReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        if (!report.HasDrift)
        {
            output.WriteLine(
                "no drift: the live rules match the plan (" + string.Join(", ", report.Families.Select(Name)) + "; "
                + report.PlannedChains + " chains, " + report.PlannedRules + " rules)");
            return;
        }

        foreach (IGrouping<(IpFamily Family, Table Table, string Chain), RuleDifference> chain in
            report.Differences.GroupBy(d => (d.Family, d.Table, d.Chain)))
        {
            output.WriteLine(Name(chain.Key.Family) + " " + chain.Key.Table.Name() + " " + chain.Key.Chain + ":");
            foreach (RuleDifference difference in chain)
            {
                output.WriteLine("  " + Describe(difference));
            }
        }

        foreach (string routing in report.RoutingDifferences)
        {
            output.WriteLine(routing);
        }

        int chains = report.Differences.Select(d => (d.Family, d.Table, d.Chain)).Distinct().Count();
        int count = report.Differences.Count + report.RoutingDifferences.Count;
        output.WriteLine("drift: " + count + " difference" + (count == 1 ? "" : "s")
            + " in " + chains + " chain" + (chains == 1 ? "" : "s") + (report.RoutingDifferences.Count > 0 ? " and the routing" : ""));
    }

    public static string Describe(RuleDifference difference) => difference.Kind switch
    {
        DifferenceKind.MissingChain => "missing chain " + difference.Chain,
        DifferenceKind.UnexpectedChain => "unexpected chain " + difference.Chain + " (not in the plan)",
        DifferenceKind.MissingRule => "missing     #" + difference.PlannedPosition + " " + difference.Rule,
        DifferenceKind.UnexpectedRule => "unexpected  #" + difference.LivePosition + " " + difference.Rule,
        _ => "moved       " + difference.Rule + " (planned #" + difference.PlannedPosition + ", live #" + difference.LivePosition + ")",
    };

    public static string Name(IpFamily family) => family == IpFamily.V4 ? "IPv4" : "IPv6";
}
