using Capture.Proxy.Identity;
using Capture.Proxy.Tests.Logging;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tests.Identity;

public sealed class CredentialsStoreTests : IDisposable
{
    private const string Reviews = "spiffe://cluster.local/ns/default/sa/bookinfo-reviews";

    private static readonly TestPki s_pki = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("capture-certs-").FullName;
    private readonly RecordingLogger _logger = new();

    [Fact]
    public void Reload_NewFiles_RotateWithoutTouchingTheOldVersion()
    {
        s_pki.Issue(Reviews).WriteTo(_directory);
        using CredentialsStore store = new(_directory, _logger, pollInterval: TimeSpan.Zero);
        WorkloadCredentials first = store.Current!;
        WorkloadCredentials? seen = null;
        store.Changed += c => seen = c;

        s_pki.Issue(Reviews).WriteTo(_directory);
        store.Reload();

        store.Current.Should().NotBeSameAs(first).And.BeSameAs(seen);
        store.Current!.Leaf.SerialNumber.Should().NotBe(first.Leaf.SerialNumber);
        first.Leaf.HasPrivateKey.Should().BeTrue("an open connection keeps using the credentials it started with");
        _logger.Entries.Should().Contain(e => e.Message.Contains("new handshakes use", StringComparison.Ordinal));
    }

    [Fact]
    public void Reload_HalfWrittenRotation_KeepsTheLastGoodSetAndWarnsOnce()
    {
        TestPki.Issued first = s_pki.Issue(Reviews);
        first.WriteTo(_directory);
        using CredentialsStore store = new(_directory, _logger, pollInterval: TimeSpan.Zero);
        WorkloadCredentials good = store.Current!;

        // pilot-agent writes the files one after the other: a new chain next to the old key.
        File.WriteAllText(Path.Combine(_directory, "cert-chain.pem"), s_pki.Issue(Reviews).ChainPem);
        store.Reload();
        store.Reload();

        store.Current.Should().BeSameAs(good);
        store.Problem.Should().Contain("key.pem: the private key does not belong");
        _logger.Entries.Where(e => e.Level == LogLevel.Warning).Should().ContainSingle()
            .Which.Message.Should().StartWith($"Keeping {Reviews} (serial ");
    }

    [Fact]
    public void Constructor_NoFilesYet_HasNoCredentialsAndSaysWhy()
    {
        using CredentialsStore store = new(_directory, _logger, pollInterval: TimeSpan.Zero);

        store.Current.Should().BeNull();
        store.Problem.Should().Be($"{_directory}/cert-chain.pem: missing (--certs expects cert-chain.pem, key.pem and root-cert.pem)");

        s_pki.Issue(Reviews).WriteTo(_directory);
        store.Reload();

        store.Current!.Identity.Should().Be(Reviews);
        store.Problem.Should().BeNull();
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
