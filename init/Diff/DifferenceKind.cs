namespace Capture.Init.Diff;

/// <summary>How the live rules depart from the plan.</summary>
internal enum DifferenceKind
{
    /// <summary>A planned user chain does not exist.</summary>
    MissingChain,

    /// <summary>A chain of ours (ISTIO_*) exists but the plan has no such chain.</summary>
    UnexpectedChain,

    /// <summary>A planned rule is not in the chain.</summary>
    MissingRule,

    /// <summary>A rule in the chain is not planned.</summary>
    UnexpectedRule,

    /// <summary>A planned rule is in the chain, but at a position that changes the order of the planned rules.</summary>
    MovedRule,
}
