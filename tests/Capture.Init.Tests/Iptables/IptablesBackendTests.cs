using Capture.Init.Iptables;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Iptables;

public class IptablesBackendTests
{
    [Theory]
    [InlineData("legacy", false, "iptables-legacy", "iptables-legacy-save", "iptables-legacy-restore")]
    [InlineData("legacy", true, "ip6tables-legacy", "ip6tables-legacy-save", "ip6tables-legacy-restore")]
    [InlineData("nft", false, "iptables-nft", "iptables-nft-save", "iptables-nft-restore")]
    [InlineData("nft", true, "ip6tables-nft", "ip6tables-nft-save", "ip6tables-nft-restore")]
    [InlineData("iptables", true, "ip6tables", "ip6tables-save", "ip6tables-restore")]
    public void Binaries_PerBackendAndFamily_AreTheDistributionNames(string name, bool ipv6, string iptables, string save, string restore)
    {
        IpFamily family = ipv6 ? IpFamily.V6 : IpFamily.V4;
        IptablesBackend backend = name switch
        {
            "legacy" => IptablesBackend.Legacy(family),
            "nft" => IptablesBackend.Nft(family),
            _ => IptablesBackend.Plain(family),
        };

        (backend.Iptables, backend.Save, backend.Restore).Should().Be((iptables, save, restore));
    }

    [Fact]
    public void RestoreArguments_LegacyWaitsForTheLockButNftDoesNot()
    {
        IptablesBackend.Legacy(IpFamily.V4).RestoreArguments.Should().Equal("--noflush", "--wait=2");
        IptablesBackend.Nft(IpFamily.V4).RestoreArguments.Should().Equal("--noflush");
    }
}
