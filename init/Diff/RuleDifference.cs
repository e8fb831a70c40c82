using Capture.Init.Rules;

namespace Capture.Init.Diff;

/// <summary>One difference in one chain; positions are 1-based, as <c>iptables -L --line-numbers</c> counts.</summary>
internal sealed record RuleDifference
{
    public required DifferenceKind Kind { get; init; }

    public required IpFamily Family { get; init; }

    public required Table Table { get; init; }

    public required string Chain { get; init; }

    /// <summary>The rule as iptables-save writes it; null for a chain-level difference.</summary>
    public string? Rule { get; init; }

    /// <summary>Where the plan puts the rule; null when it is not planned.</summary>
    public int? PlannedPosition { get; init; }

    /// <summary>Where the live chain has it; null when it is not there.</summary>
    public int? LivePosition { get; init; }
}
