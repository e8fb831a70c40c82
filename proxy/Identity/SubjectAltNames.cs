using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Capture.Proxy.Identity;

/// <summary>
/// Reads the URI entries of a certificate's subjectAltName extension (RFC 5280 §4.2.1.6), where SPIFFE identities
/// live. .NET's <see cref="X509SubjectAlternativeNameExtension"/> lists DNS names and IP addresses only.
/// </summary>
internal static class SubjectAltNames
{
    private const string SubjectAltNameOid = "2.5.29.17";

    // GeneralName ::= CHOICE { ... uniformResourceIdentifier [6] IA5String ... }
    private static readonly Asn1Tag s_uriTag = new(TagClass.ContextSpecific, 6);

    /// <summary>Every URI SAN of <paramref name="certificate"/>, in order; empty when it has none or the extension is malformed.</summary>
    public static List<string> ReadUris(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        List<string> uris = [];
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension.Oid?.Value != SubjectAltNameOid)
            {
                continue;
            }

            try
            {
                AsnReader names = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
                while (names.HasData)
                {
                    if (names.PeekTag() == s_uriTag)
                    {
                        uris.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, s_uriTag));
                    }
                    else
                    {
                        names.ReadEncodedValue();
                    }
                }
            }
            catch (Exception ex) when (ex is AsnContentException or CryptographicException)
            {
                // A malformed extension carries no identity we could trust: the caller sees none and refuses.
                uris.Clear();
            }
        }

        return uris;
    }

    /// <summary>The URI SANs of <paramref name="certificate"/> that are Istio SPIFFE identities.</summary>
    public static List<string> ReadSpiffeIdentities(X509Certificate2 certificate)
    {
        List<string> identities = ReadUris(certificate);
        identities.RemoveAll(static uri => !SpiffeIdentity.TryParse(uri, out _, out _, out _));
        return identities;
    }
}
