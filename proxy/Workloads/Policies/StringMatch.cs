namespace Capture.Proxy.Workloads.Policies;

/// <summary>ztunnel's <c>StringMatch</c>: <c>{Exact: x}</c>, <c>{Prefix: x}</c>, <c>{Suffix: x}</c> or <c>{Presence: {}}</c>.</summary>
internal readonly record struct StringMatch(StringMatchKind Kind, string Value)
{
    /// <summary>Whether <paramref name="candidate"/> satisfies this match (ordinal, case-sensitive, as ztunnel).</summary>
    public bool Matches(string candidate) => Kind switch
    {
        StringMatchKind.Exact => string.Equals(candidate, Value, StringComparison.Ordinal),
        StringMatchKind.Prefix => candidate.StartsWith(Value, StringComparison.Ordinal),
        StringMatchKind.Suffix => candidate.EndsWith(Value, StringComparison.Ordinal),
        StringMatchKind.Presence => candidate.Length > 0,
        _ => false,
    };
}
