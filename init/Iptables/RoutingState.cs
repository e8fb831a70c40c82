using System.Globalization;
using Capture.Init.Rules;
using Capture.Init.Values;

namespace Capture.Init.Iptables;

/// <summary>
/// Which of a set of routing changes (<c>ip rule</c>, <c>ip route</c>, <c>ip addr</c>) the namespace already holds, read
/// with one <c>ip [-6] -batch</c> of <c>show</c> commands per family. Lets a run undo only the routing it added, and
/// lets drift checks, diff and clean-up see routing as part of the state.
/// </summary>
internal sealed class RoutingState
{
    private readonly HashSet<RouteCommand> _present;

    private RoutingState(HashSet<RouteCommand> present) => _present = present;

    /// <summary>Nothing present.</summary>
    public static RoutingState Empty { get; } = new([]);

    /// <summary>True when the namespace holds what <paramref name="command"/> would establish.</summary>
    public bool Holds(RouteCommand command) => _present.Contains(command);

    /// <summary>Reads which of <paramref name="candidates"/> are in place. Throws <see cref="CaptureException"/> when <c>ip</c> cannot be run.</summary>
    public static async Task<RoutingState> ReadAsync(IptablesCommands commands, IEnumerable<RouteCommand> candidates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var present = new HashSet<RouteCommand>();
        foreach (IGrouping<IpFamily, RouteCommand> family in candidates.Distinct().GroupBy(command => command.Family))
        {
            var shows = new List<string>();
            foreach (RouteCommand command in family)
            {
                string show = ShowCommand(command);
                if (!shows.Contains(show))
                {
                    shows.Add(show);
                }
            }

            CommandResult result = await commands.IpBatchAsync(family.Key, shows, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode == CommandResult.NotFoundExitCode)
            {
                throw new CaptureException("reading the routing state failed: " + result.Describe());
            }

            // A show of a table that does not exist fails harmlessly (-force goes on); what was printed is what exists.
            string[] lines = result.Stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            foreach (RouteCommand command in family)
            {
                if (Array.Exists(lines, line => Shows(command, line)))
                {
                    present.Add(command);
                }
            }
        }

        return new RoutingState(present);
    }

    /// <summary>
    /// The TPROXY routing the namespace holds, whoever's configuration added it: for each <c>ip rule … fwmark M lookup
    /// T</c> whose table T routes <c>local default dev lo</c>, that rule and that route, as the commands that add them.
    /// That pair is what a TPROXY configuration installs (and nothing else in a pod does), so one that the plan does not
    /// have is a leftover of an earlier configuration: diff reports it, reconcile and clean-up remove it.
    /// </summary>
    public static async Task<IReadOnlyList<RouteCommand>> ReadTproxyAsync(IptablesCommands commands, IReadOnlyList<IpFamily> families, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(families);
        var found = new List<RouteCommand>();
        foreach (IpFamily family in families)
        {
            CommandResult result = await commands.IpBatchAsync(family, ["rule show", "route show table all"], cancellationToken).ConfigureAwait(false);
            if (result.ExitCode == CommandResult.NotFoundExitCode)
            {
                throw new CaptureException("reading the routing state failed: " + result.Describe());
            }

            var rules = new List<(uint Mark, string Table)>();
            var localTables = new HashSet<string>(StringComparer.Ordinal);
            foreach (string line in result.Stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                string[] words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                int fwmark = Array.IndexOf(words, "fwmark");
                int lookup = Array.IndexOf(words, "lookup");
                if (fwmark >= 0 && fwmark + 1 < words.Length && lookup >= 0 && lookup + 1 < words.Length && MarkText.TryParse(words[fwmark + 1], out uint mark))
                {
                    rules.Add((mark, words[lookup + 1]));
                    continue;
                }

                // "local default dev lo table 133 scope host" (route show table all names the table).
                int table = Array.IndexOf(words, "table");
                if (words.Length >= 4 && words[0] == "local" && words[1] == "default" && words[2] == "dev" && words[3] == "lo" && table >= 0 && table + 1 < words.Length)
                {
                    localTables.Add(words[table + 1]);
                }
            }

            foreach ((uint mark, string table) in rules)
            {
                if (localTables.Contains(table))
                {
                    found.Add(new IpRuleAdd(family, mark, table));
                    found.Add(new IpRouteAddLocalDefault(family, table));
                }
            }
        }

        return found.Distinct().ToList();
    }

    /// <summary>The <c>show</c> batch line whose output says whether <paramref name="command"/> is in place.</summary>
    private static string ShowCommand(RouteCommand command) => command switch
    {
        IpRuleAdd => "rule show",
        IpRouteAddLocalDefault route => "route show table " + route.RouteTable,
        IpAddressAdd address => "addr show dev " + address.Device,
        _ => throw new InvalidOperationException($"no show command for {command}"),
    };

    /// <summary>True when <paramref name="line"/> of the show output is <paramref name="command"/>'s result.</summary>
    private static bool Shows(RouteCommand command, string line)
    {
        string[] words = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        switch (command)
        {
            case IpRuleAdd rule:
                // "32765:	from all fwmark 0x539 lookup 133" (the mark in hex, a mask only when one was given).
                int fwmark = Array.IndexOf(words, "fwmark");
                int lookup = Array.IndexOf(words, "lookup");
                return fwmark >= 0 && fwmark + 1 < words.Length && lookup >= 0 && lookup + 1 < words.Length
                    && MarkText.TryParse(words[fwmark + 1], out uint mark) && mark == rule.FirewallMark
                    && SameTable(words[lookup + 1], rule.RouteTable);
            case IpRouteAddLocalDefault route:
                // "local default dev lo scope host" (the table is the one shown).
                return words.Length >= 4 && words[0] == "local" && words[1] == "default" && words[2] == "dev" && words[3] == route.Device;
            case IpAddressAdd address:
                // "inet6 ::6/128 scope global"
                int inet = Array.IndexOf(words, address.Family == IpFamily.V6 ? "inet6" : "inet");
                return inet >= 0 && inet + 1 < words.Length && words[inet + 1] == IpText.Format(address.Address);
            default:
                return false;
        }
    }

    private static bool SameTable(string shown, string configured)
        => shown == configured
           || (uint.TryParse(shown, NumberStyles.None, CultureInfo.InvariantCulture, out uint a)
               && uint.TryParse(configured, NumberStyles.None, CultureInfo.InvariantCulture, out uint b) && a == b);
}
