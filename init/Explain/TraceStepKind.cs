namespace Capture.Init.Explain;

/// <summary>What a line of the path through the rules records.</summary>
internal enum TraceStepKind
{
    /// <summary>The packet reaches a netfilter hook.</summary>
    Hook,

    /// <summary>A table's chain is entered (built-in at a hook, or a user chain by a jump).</summary>
    Chain,

    /// <summary>A rule matched; its target acted.</summary>
    Rule,

    /// <summary>A chain ended without a verdict: back to the caller, or the built-in chain's policy.</summary>
    ChainEnd,

    /// <summary>Something the reader should know (a table skipped, a match the simulator cannot decide).</summary>
    Note,
}
