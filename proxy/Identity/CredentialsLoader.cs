using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Capture.Proxy.Identity;

/// <summary>
/// Reads and checks the three files pilot-agent writes under <c>OUTPUT_CERTS</c>. Every problem is one
/// <see cref="CertificateException"/> naming the file; key material never appears in a message.
/// </summary>
internal static class CredentialsLoader
{
    public const string ChainFile = "cert-chain.pem";
    public const string KeyFile = "key.pem";
    public const string RootFile = "root-cert.pem";

    /// <summary>The credentials in <paramref name="directory"/>, valid at <paramref name="now"/>.</summary>
    public static WorkloadCredentials Load(string directory, DateTimeOffset now)
    {
        (string chainPath, string chainPem) = Read(directory, ChainFile);
        (string keyPath, string keyPem) = Read(directory, KeyFile);
        (string rootPath, string rootPem) = Read(directory, RootFile);

        X509Certificate2Collection chain = ImportCertificates(chainPath, chainPem);
        X509Certificate2Collection roots = ImportCertificates(rootPath, rootPem);
        if (!keyPem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new CertificateException($"{keyPath}: no PEM private key in it");
        }

        X509Certificate2 leaf;
        try
        {
            leaf = X509Certificate2.CreateFromPem(chainPem, keyPem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // .NET's message names no key material; the key is not echoed.
            throw new CertificateException($"{keyPath}: the private key does not belong to the first certificate of {chainPath}, or is malformed", ex);
        }

        if (now < leaf.NotBefore)
        {
            throw new CertificateException($"{chainPath}: the certificate is not valid yet (from {leaf.NotBefore.ToUniversalTime():u}; now {now.UtcDateTime:u})");
        }

        if (now > leaf.NotAfter)
        {
            throw new CertificateException($"{chainPath}: the certificate expired at {leaf.NotAfter.ToUniversalTime():u} (now {now.UtcDateTime:u})");
        }

        List<string> identities = SubjectAltNames.ReadSpiffeIdentities(leaf);
        if (identities.Count == 0 || !SpiffeIdentity.TryParse(identities[0], out string trustDomain, out _, out _))
        {
            throw new CertificateException(
                $"{chainPath}: the certificate has no URI SAN of the form spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>");
        }

        X509Certificate2Collection intermediates = [];
        for (int i = 1; i < chain.Count; i++)
        {
            intermediates.Add(chain[i]);
        }

        CheckChain(leaf, intermediates, roots, now, chainPath, rootPath);
        return new WorkloadCredentials(leaf, intermediates, roots, identities[0], trustDomain);
    }

    private static (string Path, string Text) Read(string directory, string name)
    {
        string path = Path.Combine(directory, name);
        try
        {
            return (path, File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new CertificateException($"{path}: missing (--certs expects {ChainFile}, {KeyFile} and {RootFile})", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CertificateException($"{path}: cannot read it: {ex.Message}", ex);
        }
    }

    private static X509Certificate2Collection ImportCertificates(string path, string pem)
    {
        X509Certificate2Collection certificates = [];
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new CertificateException($"{path}: not a PEM certificate: {ex.Message}", ex);
        }

        return certificates.Count > 0 ? certificates : throw new CertificateException($"{path}: no PEM certificate in it");
    }

    // Our own chain must verify against the roots we give peers: otherwise every peer would refuse us, and the
    // reason is far clearer here than in their logs.
    private static void CheckChain(X509Certificate2 leaf, X509Certificate2Collection intermediates, X509Certificate2Collection roots,
        DateTimeOffset now, string chainPath, string rootPath)
    {
        using X509Chain chain = new();
        chain.ChainPolicy = TrustPolicy.Create(roots);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        if (!chain.Build(leaf))
        {
            throw new CertificateException($"{chainPath}: does not chain to {rootPath}: {TrustPolicy.Describe(chain.ChainStatus)}");
        }
    }
}
