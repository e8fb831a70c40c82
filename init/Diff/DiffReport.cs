using Capture.Init.Rules;

namespace Capture.Init.Diff;

/// <summary>The result of comparing a plan with the live rules: the differences, in table and chain order.</summary>
internal sealed record DiffReport
{
    public required IReadOnlyList<RuleDifference> Differences { get; init; }

    /// <summary>The families compared (IPv6 only when the plan has it on).</summary>
    public required IReadOnlyList<IpFamily> Families { get; init; }

    /// <summary>Planned chains and rules compared, for the "no drift" line.</summary>
    public required int PlannedChains { get; init; }

    public required int PlannedRules { get; init; }

    /// <summary>Routing drift (<see cref="RoutingDifferences"/>), one sentence each.</summary>
    public IReadOnlyList<string> RoutingDifferences { get; init; } = [];

    public bool HasDrift => Differences.Count > 0 || RoutingDifferences.Count > 0;
}
