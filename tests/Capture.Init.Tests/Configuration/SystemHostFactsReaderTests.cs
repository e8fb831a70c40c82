using Capture.Init.Configuration;

namespace Capture.Init.Tests.Configuration;

public class SystemHostFactsReaderTests
{
    [Theory]
    [InlineData("On", true)]
    [InlineData("Off", false)]
    public void Read_ExplicitIpv6_NotDetected(string mode, bool expected)
    {
        CaptureOptions options = CaptureOptions.Default with { Run = RunOptions.Default with { Ipv6Mode = Enum.Parse<Ipv6Mode>(mode) } };

        HostFacts facts = SystemHostFactsReader.Instance.Read(options);

        facts.Ipv6Enabled.Should().Be(expected);
    }

    [Fact]
    public void Read_NoRedirectDns_DoesNotReadResolvConf()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "nameserver 10.0.0.1\n");

            HostFacts facts = SystemHostFactsReader.Instance.Read(CaptureOptions.Default with { Run = RunOptions.Default with { ResolvConfPath = path, Ipv6Mode = Ipv6Mode.Off } });

            facts.DnsServers.Should().BeEmpty();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_RedirectDns_ReadsServers()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "nameserver 10.0.0.1\n");

            HostFacts facts = SystemHostFactsReader.Instance.Read(new CaptureOptions(
                RuleOptions.Default with { RedirectDns = true }, RunOptions.Default with { ResolvConfPath = path, Ipv6Mode = Ipv6Mode.Off }));

            facts.DnsServers.Select(a => a.ToString()).Should().Equal("10.0.0.1");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
