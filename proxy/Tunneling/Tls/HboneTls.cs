using System.Net.Security;
using System.Security.Authentication;
using Capture.Proxy.Identity;

namespace Capture.Proxy.Tunneling.Tls;

/// <summary>
/// TLS settings of HBONE, as ztunnel's (HBONE.md §1): TLS 1.3 only, TLS_AES_256_GCM_SHA384 / TLS_AES_128_GCM_SHA256,
/// ALPN h2, both sides present their chain, peers verified against the mesh roots, identities from URI SANs, no SNI.
/// </summary>
internal static class HboneTls
{
    private static readonly List<SslApplicationProtocol> s_alpn = [SslApplicationProtocol.Http2];

    // Created once (it is immutable). CipherSuitesPolicy needs OpenSSL: Linux, where capture-proxy runs.
    private static readonly CipherSuitesPolicy? s_cipherSuites = OperatingSystem.IsLinux()
        ? new([TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_AES_128_GCM_SHA256])
        : null;

    /// <summary>Options for dialling a peer's 15008; <paramref name="verification"/> records the outcome.</summary>
    public static SslClientAuthenticationOptions Client(WorkloadCredentials credentials, PeerVerification verification) => new()
    {
        TargetHost = "", // no SNI, as ztunnel: the server has one certificate, and identities are not host names
        ClientCertificateContext = credentials.Context,
        EnabledSslProtocols = SslProtocols.Tls13,
        CipherSuitesPolicy = s_cipherSuites,
        ApplicationProtocols = s_alpn,
        CertificateChainPolicy = TrustPolicy.Create(credentials.Roots),
        CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = verification.Check,
    };

    /// <summary>Options for accepting on 15008: a client certificate is required and verified by <paramref name="verification"/>.</summary>
    public static SslServerAuthenticationOptions Server(WorkloadCredentials credentials, PeerVerification verification) => new()
    {
        ServerCertificateContext = credentials.Context,
        ClientCertificateRequired = true,
        EnabledSslProtocols = SslProtocols.Tls13,
        CipherSuitesPolicy = s_cipherSuites,
        ApplicationProtocols = s_alpn,
        CertificateChainPolicy = TrustPolicy.Create(credentials.Roots),
        CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = verification.Check,
    };
}
