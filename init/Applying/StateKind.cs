namespace Capture.Init.Applying;

/// <summary>How the live rules of one family relate to the plan.</summary>
internal enum StateKind
{
    /// <summary>None of our chains exist and none of our rules sit in built-in chains: apply.</summary>
    Clean,

    /// <summary>Our chains and rules are exactly the plan (order aside): nothing to do.</summary>
    Current,

    /// <summary>Some of ours exist but differ from the plan: reconcile or refuse.</summary>
    Drifted,
}
