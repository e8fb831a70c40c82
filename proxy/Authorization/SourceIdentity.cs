using Capture.Proxy.Identity;

namespace Capture.Proxy.Authorization;

/// <summary>
/// The verified identity of a connection's source, as policies see it: the principal (the SPIFFE URI without
/// <c>spiffe://</c>) and, for an Istio-shaped identity, its namespace and service account. A plaintext connection has
/// none (<see cref="None"/>), so no identity field of a policy can hold for it.
/// </summary>
internal sealed class SourceIdentity
{
    private SourceIdentity(string principal, string @namespace, string serviceAccount)
    {
        Principal = principal;
        Namespace = @namespace;
        ServiceAccount = serviceAccount;
    }

    /// <summary>No identity: a plaintext connection.</summary>
    public static SourceIdentity? None => null;

    /// <summary>e.g. <c>cluster.local/ns/default/sa/bookinfo-productpage</c>.</summary>
    public string Principal { get; }

    /// <summary>Empty when the identity is not of Istio's <c>/ns/…/sa/…</c> shape.</summary>
    public string Namespace { get; }

    /// <summary>Empty when the identity is not of Istio's <c>/ns/…/sa/…</c> shape.</summary>
    public string ServiceAccount { get; }

    /// <summary>From a peer certificate's SPIFFE URI; null for an empty one (no identity).</summary>
    public static SourceIdentity? FromUri(string? uri)
    {
        if (string.IsNullOrEmpty(uri))
        {
            return null;
        }

        string principal = uri.StartsWith(SpiffeIdentity.Scheme, StringComparison.Ordinal) ? uri[SpiffeIdentity.Scheme.Length..] : uri;
        return SpiffeIdentity.TryParse(uri, out _, out string @namespace, out string serviceAccount)
            ? new SourceIdentity(principal, @namespace, serviceAccount)
            : new SourceIdentity(principal, "", "");
    }

    public override string ToString() => Principal;
}
