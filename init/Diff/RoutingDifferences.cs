using Capture.Init.Rules;

namespace Capture.Init.Diff;

/// <summary>
/// Routing as part of the compared state (issue 11 item 5): the plan's <c>ip rule</c>/<c>ip route</c>/<c>ip addr</c>
/// changes the namespace lacks, and TPROXY routing it holds that the plan does not have (a TPROXY → REDIRECT switch
/// leaves <c>ip rule fwmark 1337 lookup 133</c> and its local route behind otherwise).
/// </summary>
internal static class RoutingDifferences
{
    /// <param name="planned">The plan's routing changes.</param>
    /// <param name="present">What the namespace holds: those of <paramref name="planned"/> in place, and every TPROXY rule and route found.</param>
    public static IReadOnlyList<string> Compare(IReadOnlyList<RouteCommand> planned, IReadOnlyList<RouteCommand> present)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(present);
        var differences = new List<string>();
        var held = new HashSet<RouteCommand>(present);
        var wanted = new HashSet<RouteCommand>(planned);
        foreach (RouteCommand command in planned)
        {
            if (!held.Contains(command))
            {
                differences.Add($"routing: missing    '{command}'");
            }
        }

        foreach (RouteCommand command in present)
        {
            if (!wanted.Contains(command))
            {
                differences.Add($"routing: unexpected '{command}' (TPROXY routing these flags do not have; --reconcile and --cleanup-only remove it)");
            }
        }

        return differences;
    }
}
