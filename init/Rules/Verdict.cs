namespace Capture.Init.Rules;

/// <summary>The terminal built-in targets capture-init uses.</summary>
internal enum Verdict
{
    /// <summary>Leave this chain, continue in the caller (or the chain's policy).</summary>
    Return,

    /// <summary>Stop traversing this table; the packet goes on.</summary>
    Accept,

    /// <summary>Discard the packet.</summary>
    Drop,
}
