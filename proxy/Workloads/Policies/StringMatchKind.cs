namespace Capture.Proxy.Workloads.Policies;

/// <summary>The four kinds of <see cref="StringMatch"/>.</summary>
internal enum StringMatchKind
{
    Exact,
    Prefix,
    Suffix,

    /// <summary>Any non-empty value.</summary>
    Presence,
}
