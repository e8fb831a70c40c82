using Capture.Proxy.Identity;

namespace Capture.Proxy.Tests.Identity;

public sealed class CredentialsLoaderTests : IDisposable
{
    private const string Reviews = "spiffe://cluster.local/ns/default/sa/bookinfo-reviews";

    private static readonly TestPki s_pki = new();
    private readonly List<string> _directories = [];

    [Fact]
    public void Load_ValidFiles_ReadsIdentityAndTrustDomain()
    {
        string directory = Keep(s_pki.Issue(["https://example.org/not-an-identity", Reviews]).WriteToNewDirectory());

        WorkloadCredentials credentials = CredentialsLoader.Load(directory, DateTimeOffset.UtcNow);

        credentials.Identity.Should().Be(Reviews);
        credentials.TrustDomain.Should().Be("cluster.local");
        credentials.Leaf.HasPrivateKey.Should().BeTrue();
        credentials.Roots.Should().ContainSingle();
        credentials.ToString().Should().StartWith(Reviews + " (serial ");
    }

    [Theory]
    [InlineData("cert-chain.pem")]
    [InlineData("key.pem")]
    [InlineData("root-cert.pem")]
    public void Load_MissingFile_NamesIt(string name)
    {
        string directory = Keep(s_pki.Issue(Reviews).WriteToNewDirectory());
        File.Delete(Path.Combine(directory, name));

        Action load = () => CredentialsLoader.Load(directory, DateTimeOffset.UtcNow);

        load.Should().Throw<CertificateException>().WithMessage($"{Path.Combine(directory, name)}: missing (--certs expects cert-chain.pem, key.pem and root-cert.pem)");
    }

    [Fact]
    public void Load_KeyOfAnotherCertificate_SaysTheyDoNotMatchWithoutShowingTheKey()
    {
        TestPki.Issued ours = s_pki.Issue(Reviews);
        TestPki.Issued other = s_pki.Issue(Reviews);
        string directory = Keep((ours with { KeyPem = other.KeyPem }).WriteToNewDirectory());

        Action load = () => CredentialsLoader.Load(directory, DateTimeOffset.UtcNow);

        string message = load.Should().Throw<CertificateException>().Which.Message;
        message.Should().StartWith($"{directory}/key.pem: the private key does not belong to the first certificate of {directory}/cert-chain.pem");
        string keyBody = other.KeyPem.Split('\n')[1];
        message.Should().NotContain(keyBody);
    }

    [Fact]
    public void Load_Expired_SaysWhen()
    {
        string directory = Keep(s_pki.Issue([Reviews], DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(-1)).WriteToNewDirectory());

        Action load = () => CredentialsLoader.Load(directory, DateTimeOffset.UtcNow);

        load.Should().Throw<CertificateException>().WithMessage($"{directory}/cert-chain.pem: the certificate expired at *");
    }

    [Fact]
    public void Load_NotYetValid_SaysFromWhen()
    {
        string directory = Keep(s_pki.Issue([Reviews], DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(2)).WriteToNewDirectory());

        Action load = () => CredentialsLoader.Load(directory, DateTimeOffset.UtcNow);

        load.Should().Throw<CertificateException>().WithMessage($"{directory}/cert-chain.pem: the certificate is not valid yet (from *");
    }

    [Fact]
    public void Load_NoSpiffeSan_Refuses()
    {
        string directory = Keep(s_pki.Issue("spiffe://cluster.local/workload/reviews").WriteToNewDirectory());

        Action load = () => CredentialsLoader.Load(directory, DateTimeOffset.UtcNow);

        load.Should().Throw<CertificateException>().WithMessage("*cert-chain.pem: the certificate has no URI SAN of the form spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>");
    }

    [Fact]
    public void Load_RootOfAnotherMesh_SaysTheChainDoesNotVerify()
    {
        TestPki.Issued ours = s_pki.Issue(Reviews);
        string directory = Keep((ours with { RootPem = new TestPki("Other CA").RootPem }).WriteToNewDirectory());

        Action load = () => CredentialsLoader.Load(directory, DateTimeOffset.UtcNow);

        load.Should().Throw<CertificateException>().WithMessage($"{directory}/cert-chain.pem: does not chain to {directory}/root-cert.pem: *");
    }

    [Fact]
    public void Load_GarbageCertificateFile_SaysNoCertificate()
    {
        string directory = Keep(s_pki.Issue(Reviews).WriteToNewDirectory());
        File.WriteAllText(Path.Combine(directory, "root-cert.pem"), "hello\n");

        Action load = () => CredentialsLoader.Load(directory, DateTimeOffset.UtcNow);

        load.Should().Throw<CertificateException>().WithMessage($"{directory}/root-cert.pem: no PEM certificate in it");
    }

    public void Dispose()
    {
        foreach (string directory in _directories)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private string Keep(string directory)
    {
        _directories.Add(directory);
        return directory;
    }
}
