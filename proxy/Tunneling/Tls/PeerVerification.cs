using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Capture.Proxy.Identity;

namespace Capture.Proxy.Tunneling.Tls;

/// <summary>
/// The peer check of one handshake, and its outcome: the certificate callback records here why it refused (the
/// handshake exception alone only says "remote certificate rejected") or whom it accepted.
/// </summary>
internal sealed class PeerVerification
{
    private readonly string _trustDomain;
    private readonly IReadOnlyList<string>? _expected;

    /// <param name="trustDomain">Ours; a client's identity must be in it.</param>
    /// <param name="expected">For a client checking a server: the identities accepted (any one); null on the server side.</param>
    public PeerVerification(string trustDomain, IReadOnlyList<string>? expected)
    {
        _trustDomain = trustDomain;
        _expected = expected;
    }

    /// <summary>The peer's accepted SPIFFE identity; null until the callback accepted one.</summary>
    public string? Identity { get; private set; }

    public TlsFailure Failure { get; private set; } = TlsFailure.Handshake;

    /// <summary>What was wrong, for the log: chain status, or the identities presented and expected.</summary>
    public string Detail { get; private set; } = "";

    /// <summary>The <see cref="RemoteCertificateValidationCallback"/>; the chain was built with <see cref="TrustPolicy"/>.</summary>
    public bool Check(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return Refuse(TlsFailure.NoCertificate, "no certificate presented");
        }

        // HBONE sends no SNI and identities are URI SANs, so the host-name check never applies.
        if ((errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) != SslPolicyErrors.None)
        {
            return Refuse(TlsFailure.UntrustedChain, chain is null ? errors.ToString() : TrustPolicy.Describe(chain.ChainStatus));
        }

        X509Certificate2 leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        List<string> identities = SubjectAltNames.ReadSpiffeIdentities(leaf);
        if (identities.Count == 0)
        {
            return Refuse(TlsFailure.NoIdentity, $"certificate {leaf.Subject} has no SPIFFE URI SAN");
        }

        if (_expected is not null)
        {
            foreach (string identity in identities)
            {
                if (Contains(_expected, identity))
                {
                    return Accept(identity);
                }
            }

            return Refuse(TlsFailure.UnexpectedIdentity, $"presented {string.Join(", ", identities)}; expected {string.Join(" or ", _expected)}");
        }

        foreach (string identity in identities)
        {
            if (SpiffeIdentity.TryParse(identity, out string trustDomain, out _, out _) && trustDomain == _trustDomain)
            {
                return Accept(identity);
            }
        }

        return Refuse(TlsFailure.TrustDomain, $"presented {string.Join(", ", identities)}; trust domain {_trustDomain} expected");
    }

    private bool Accept(string identity)
    {
        Identity = identity;
        Failure = TlsFailure.None;
        Detail = "";
        return true;
    }

    private bool Refuse(TlsFailure failure, string detail)
    {
        Failure = failure;
        Detail = detail;
        return false;
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
