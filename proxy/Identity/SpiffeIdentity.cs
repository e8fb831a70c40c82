namespace Capture.Proxy.Identity;

/// <summary>Istio's workload identity: <c>spiffe://&lt;trust-domain&gt;/ns/&lt;namespace&gt;/sa/&lt;service-account&gt;</c>.</summary>
internal static class SpiffeIdentity
{
    public const string Scheme = "spiffe://";

    public static string Format(string trustDomain, string @namespace, string serviceAccount) =>
        Scheme + trustDomain + "/ns/" + @namespace + "/sa/" + serviceAccount;

    /// <summary>
    /// Reads the trust domain, namespace and service account of an Istio identity; false for any other shape (other
    /// paths, empty parts, a query or fragment).
    /// </summary>
    public static bool TryParse(string uri, out string trustDomain, out string @namespace, out string serviceAccount)
    {
        trustDomain = @namespace = serviceAccount = "";
        if (!uri.StartsWith(Scheme, StringComparison.Ordinal) || uri.AsSpan().IndexOfAny('?', '#') >= 0)
        {
            return false;
        }

        string[] parts = uri[Scheme.Length..].Split('/');
        if (parts.Length != 5 || parts[1] != "ns" || parts[3] != "sa" ||
            parts[0].Length == 0 || parts[2].Length == 0 || parts[4].Length == 0)
        {
            return false;
        }

        trustDomain = parts[0];
        @namespace = parts[2];
        serviceAccount = parts[4];
        return true;
    }
}
