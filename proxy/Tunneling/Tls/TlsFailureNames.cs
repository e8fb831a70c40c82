namespace Capture.Proxy.Tunneling.Tls;

/// <summary>Metric label values for <see cref="TlsFailure"/>, without allocating.</summary>
internal static class TlsFailureNames
{
    public static string Label(TlsFailure failure) => failure switch
    {
        TlsFailure.None => "none",
        TlsFailure.Handshake => "handshake",
        TlsFailure.NoCertificate => "no_certificate",
        TlsFailure.UntrustedChain => "untrusted_chain",
        TlsFailure.NoIdentity => "no_identity",
        TlsFailure.TrustDomain => "trust_domain",
        TlsFailure.UnexpectedIdentity => "unexpected_identity",
        TlsFailure.NoCredentials => "no_credentials",
        _ => "other",
    };

    /// <summary>Identity failures (the peer is who it is, but not someone we accept) as opposed to TLS failures.</summary>
    public static bool IsIdentity(TlsFailure failure) =>
        failure is TlsFailure.NoIdentity or TlsFailure.TrustDomain or TlsFailure.UnexpectedIdentity;
}
