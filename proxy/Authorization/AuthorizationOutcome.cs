namespace Capture.Proxy.Authorization;

/// <summary>Why a connection was allowed or denied.</summary>
internal enum AuthorizationOutcome
{
    /// <summary>No Deny policy matched and no Allow policy applies to the destination: allowed.</summary>
    NoPolicy,

    /// <summary>An Allow policy that applies matched: allowed.</summary>
    AllowMatched,

    /// <summary>A Deny policy that applies matched: denied.</summary>
    DenyMatched,

    /// <summary>Allow policies apply to the destination and none matched: denied.</summary>
    NoAllowMatched,
}
