using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Capture.Proxy.Identity;

/// <summary>
/// One version of the proxy's credentials (<c>cert-chain.pem</c>, <c>key.pem</c>, <c>root-cert.pem</c>), checked and
/// ready for handshakes. Immutable: rotation makes a new one, and a connection keeps the one it started with.
/// </summary>
internal sealed class WorkloadCredentials
{
    internal WorkloadCredentials(X509Certificate2 leaf, X509Certificate2Collection intermediates, X509Certificate2Collection roots,
        string identity, string trustDomain)
    {
        Leaf = leaf;
        Roots = roots;
        Identity = identity;
        TrustDomain = trustDomain;
        // offline: the chain is built from what we were given, never by fetching issuers (AIA) from the network.
        Context = SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    /// <summary>Our certificate, with its private key.</summary>
    public X509Certificate2 Leaf { get; }

    /// <summary>The mesh roots peers must chain to.</summary>
    public X509Certificate2Collection Roots { get; }

    /// <summary>Our SPIFFE identity, <c>spiffe://td/ns/ns/sa/sa</c>.</summary>
    public string Identity { get; }

    /// <summary>Our trust domain; a peer must have the same one.</summary>
    public string TrustDomain { get; }

    /// <summary>Leaf plus intermediates, as sent in handshakes (server and client).</summary>
    public SslStreamCertificateContext Context { get; }

    public DateTimeOffset NotAfter => Leaf.NotAfter;

    /// <summary>Names this version in logs: identity, serial number and expiry (never key material).</summary>
    public override string ToString() => $"{Identity} (serial {Leaf.SerialNumber}, valid until {Leaf.NotAfter.ToUniversalTime():u})";
}
