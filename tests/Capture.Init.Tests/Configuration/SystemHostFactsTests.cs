using Capture.Init.Configuration;

namespace Capture.Init.Tests.Configuration;

public class SystemHostFactsTests
{
    [Theory]
    [InlineData("On", true)]
    [InlineData("Off", false)]
    public void Resolve_ExplicitIpv6_NotDetected(string mode, bool expected)
    {
        CaptureOptions options = CaptureOptions.Default with { Ipv6Mode = Enum.Parse<Ipv6Mode>(mode) };

        CaptureOptions resolved = SystemHostFacts.Instance.Resolve(options);

        resolved.Ipv6Enabled.Should().Be(expected);
    }

    [Fact]
    public void Resolve_NoRedirectDns_DoesNotReadResolvConf()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "nameserver 10.0.0.1\n");

            CaptureOptions resolved = SystemHostFacts.Instance.Resolve(CaptureOptions.Default with { ResolvConfPath = path, Ipv6Mode = Ipv6Mode.Off });

            resolved.DnsServers.Should().BeEmpty();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Resolve_RedirectDns_ReadsServers()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "nameserver 10.0.0.1\n");

            CaptureOptions resolved = SystemHostFacts.Instance.Resolve(CaptureOptions.Default with { ResolvConfPath = path, RedirectDns = true, Ipv6Mode = Ipv6Mode.Off });

            resolved.DnsServers.Select(a => a.ToString()).Should().Equal("10.0.0.1");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
