namespace Capture.Proxy.Tunneling.Http2;

/// <summary>How a literal header field is represented (RFC 7541 §6.2).</summary>
internal enum HpackIndexing
{
    /// <summary>Literal with incremental indexing: added to both dynamic tables (§6.2.1).</summary>
    Incremental,

    /// <summary>Literal without indexing (§6.2.2): for values that change with every request.</summary>
    WithoutIndexing,

    /// <summary>Literal never indexed (§6.2.3): intermediaries must not index it either.</summary>
    NeverIndexed,
}
