using System.Security.Cryptography.X509Certificates;
using Capture.Proxy.Identity;

namespace Capture.Proxy.Tests.Identity;

public sealed class SubjectAltNamesTests
{
    [Fact]
    public void ReadUris_SeveralKinds_ReturnsOnlyUrisInOrder()
    {
        TestPki pki = new();
        TestPki.Issued issued = pki.Issue(["spiffe://a.example/ns/x/sa/y", "urn:example:1", "spiffe://b.example/ns/p/sa/q"]);
        X509Certificate2 certificate = X509Certificate2.CreateFromPem(issued.ChainPem);

        List<string> uris = SubjectAltNames.ReadUris(certificate);
        List<string> identities = SubjectAltNames.ReadSpiffeIdentities(certificate);

        uris.Should().Equal("spiffe://a.example/ns/x/sa/y", "urn:example:1", "spiffe://b.example/ns/p/sa/q");
        identities.Should().Equal("spiffe://a.example/ns/x/sa/y", "spiffe://b.example/ns/p/sa/q");
    }

    [Theory]
    [InlineData("spiffe://cluster.local/ns/default/sa/reviews", true)]
    [InlineData("spiffe://cluster.local/ns/default/sa/", false)]
    [InlineData("spiffe://cluster.local/ns/default/sa/reviews/extra", false)]
    [InlineData("spiffe://cluster.local/namespace/default/sa/reviews", false)]
    [InlineData("spiffe:///ns/default/sa/reviews", false)]
    [InlineData("spiffe://cluster.local/ns/default/sa/reviews?x=1", false)]
    [InlineData("https://cluster.local/ns/default/sa/reviews", false)]
    public void TryParse_IstioShape_OnlyThatShape(string uri, bool expected)
    {
        bool parsed = SpiffeIdentity.TryParse(uri, out string trustDomain, out string ns, out string sa);

        parsed.Should().Be(expected);
        if (expected)
        {
            SpiffeIdentity.Format(trustDomain, ns, sa).Should().Be(uri);
        }
    }
}
