namespace Capture.Proxy.Tunneling.Tls;

/// <summary>Why a tunnel's TLS handshake was refused, as a metrics label (<c>cause</c>) and in logs.</summary>
internal enum TlsFailure
{
    /// <summary>The handshake succeeded and the peer's identity was accepted.</summary>
    None,

    /// <summary>The handshake itself failed: protocol version (not TLS 1.3), cipher, ALPN, a reset or a timeout.</summary>
    Handshake,

    /// <summary>The peer presented no certificate (a client without one, on 15008).</summary>
    NoCertificate,

    /// <summary>The peer's chain does not verify against <c>root-cert.pem</c> (another CA, expired, not yet valid).</summary>
    UntrustedChain,

    /// <summary>The peer's certificate carries no SPIFFE URI SAN.</summary>
    NoIdentity,

    /// <summary>The peer's identity is in another trust domain than ours.</summary>
    TrustDomain,

    /// <summary>The server's identity is not one we expect for the destination.</summary>
    UnexpectedIdentity,

    /// <summary>We have no usable credentials (none loaded yet).</summary>
    NoCredentials,
}
