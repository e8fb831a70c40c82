using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Capture.Proxy.Tests.Identity;

/// <summary>A throw-away mesh CA and SPIFFE workload certificates, made in memory (ECDSA P-256, as Istio can issue).</summary>
internal sealed class TestPki
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestPki(string name = "Test Mesh CA")
    {
        CertificateRequest request = new($"CN={name}, O=capture-tests", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Root = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddYears(1));
    }

    public X509Certificate2 Root { get; }

    public string RootPem => Root.ExportCertificatePem();

    /// <summary>A leaf for <paramref name="uris"/> (URI SANs) with its key, valid from/to the given times.</summary>
    public Issued Issue(string[] uris, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = new("O=capture-tests", key, HashAlgorithmName.SHA256);
        SubjectAlternativeNameBuilder san = new();
        foreach (string uri in uris)
        {
            san.AddUri(new Uri(uri));
        }

        request.CertificateExtensions.Add(san.Build(critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using X509Certificate2 certificate = request.Create(Root, notBefore ?? DateTimeOffset.UtcNow.AddHours(-1), notAfter ?? DateTimeOffset.UtcNow.AddHours(24), serial);
        return new Issued(certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), RootPem);
    }

    public Issued Issue(string uri) => Issue([uri]);

    /// <summary>PEM texts of a leaf, its key and the root.</summary>
    internal sealed record Issued(string ChainPem, string KeyPem, string RootPem)
    {
        public void WriteTo(string directory)
        {
            File.WriteAllText(Path.Combine(directory, "cert-chain.pem"), ChainPem);
            File.WriteAllText(Path.Combine(directory, "key.pem"), KeyPem);
            File.WriteAllText(Path.Combine(directory, "root-cert.pem"), RootPem);
        }

        public string WriteToNewDirectory()
        {
            string directory = Directory.CreateTempSubdirectory("capture-certs-").FullName;
            WriteTo(directory);
            return directory;
        }
    }
}
