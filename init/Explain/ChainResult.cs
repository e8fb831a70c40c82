namespace Capture.Init.Explain;

/// <summary>How a chain traversal ended.</summary>
internal enum ChainResult
{
    /// <summary>Fell off the end: continue in the caller, or the policy of a built-in chain.</summary>
    Continue,

    /// <summary>RETURN: the same as falling off the end, but decided by a rule.</summary>
    Return,

    /// <summary>ACCEPT, REDIRECT or TPROXY: the table is done with the packet.</summary>
    Accept,

    /// <summary>DROP or REJECT: the packet is gone.</summary>
    Drop,
}
