namespace Capture.Proxy.Tests.Tunneling;

/// <summary>
/// A fact against Node's http2 and tls modules, the independent HTTP/2 and HBONE peer (with OpenSSL for the throw-away
/// certificates some of them make): skips, saying which is missing, when node or openssl is not on PATH.
/// </summary>
public sealed class RequiresNodeFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_skipReason = new(ComputeSkipReason);

    public RequiresNodeFactAttribute()
    {
        if (s_skipReason.Value is { } reason)
        {
            Skip = reason;
        }
    }

    private static string? ComputeSkipReason()
    {
        List<string> missing = [];
        if (NodePeer.NodePath is null)
        {
            missing.Add("node");
        }

        if (NodePeer.FindOnPath("openssl") is null)
        {
            missing.Add("openssl");
        }

        return missing.Count == 0 ? null : $"needs {string.Join(" and ", missing)} on PATH (Node's http2 is the independent HTTP/2 peer)";
    }
}
