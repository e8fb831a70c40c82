using System.Globalization;
using System.Text.RegularExpressions;
using Capture.Init.Rules;

namespace Capture.Init.Applying;

/// <summary>
/// Turns the plan's routing changes into <c>ip -batch</c> lines, one process per family, idempotent: a re-run must
/// not fail on "File exists" nor pile up duplicates.
/// </summary>
/// <remarks>
/// <c>ip route replace</c> and <c>ip addr replace</c> are idempotent by themselves. <c>ip rule add</c> is not: the
/// kernel accepts an identical rule again under the next free priority (seen on 6.x kernels), so each rule is deleted
/// first; that <c>del</c> fails harmlessly when the rule is absent, and is the only line allowed to fail.
/// </remarks>
internal static partial class RouteBatch
{
    /// <summary>The batch that establishes <paramref name="commands"/>; <paramref name="tolerated"/> are 1-based lines allowed to fail.</summary>
    public static IReadOnlyList<string> Apply(IEnumerable<RouteCommand> commands, out IReadOnlySet<int> tolerated)
    {
        var lines = new List<string>();
        var allowed = new HashSet<int>();
        foreach (RouteCommand command in commands)
        {
            List<string> words = WithoutFamily(command);
            if (command is IpRuleAdd)
            {
                lines.Add(WithVerb(words, "del"));
                allowed.Add(lines.Count);
                lines.Add(string.Join(' ', words));
            }
            else
            {
                lines.Add(WithVerb(words, "replace"));
            }
        }

        tolerated = allowed;
        return lines;
    }

    /// <summary>The batch that removes <paramref name="commands"/>; every line may fail (already gone).</summary>
    public static IReadOnlyList<string> Cleanup(IEnumerable<RouteCommand> commands)
        => commands.Select(command => WithVerb(WithoutFamily(command), "del")).ToList();

    /// <summary>The 1-based batch lines <c>ip -force -batch -</c> reported as failed ("Command failed -:N").</summary>
    public static IReadOnlyList<int> FailedLines(string stderr)
        => FailedLineRegex().Matches(stderr).Select(m => int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture)).ToList();

    private static List<string> WithoutFamily(RouteCommand command)
    {
        // The family goes on the batch's command line (ip -6 -batch): batch lines cannot carry options.
        var words = command.Arguments.ToList();
        if (words.Count > 0 && words[0] == "-6")
        {
            words.RemoveAt(0);
        }

        return words;
    }

    private static string WithVerb(List<string> words, string verb)
    {
        int index = words.IndexOf("add");
        if (index < 0)
        {
            throw new InvalidOperationException($"routing change without 'add': ip {string.Join(' ', words)}");
        }

        var copy = new List<string>(words) { [index] = verb };
        return string.Join(' ', copy);
    }

    [GeneratedRegex(@"Command failed -:(\d+)")]
    private static partial Regex FailedLineRegex();
}
