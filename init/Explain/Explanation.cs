using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>The answer to "what happens to this connection": the path through the rules and the verdict.</summary>
internal sealed record Explanation
{
    public required Connection Connection { get; init; }

    public required IpFamily Family { get; init; }

    public required IReadOnlyList<TraceStep> Steps { get; init; }

    public required Outcome Outcome { get; init; }

    /// <summary>The conntrack zone raw-table <c>CT --zone</c> put the connection in; null = the default zone 0.</summary>
    public int? ConntrackZone { get; init; }

    /// <summary>Caveats of the simulation (undecidable matches, assumptions), one sentence each.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The backend whose rules were walked (names in the path and the deciding rule are its own).</summary>
    public IRuleNotation Notation { get; init; } = IptablesNotation.Instance;
}
