using Capture.Proxy.Hosting;

namespace Capture.Proxy.Tests.Hosting;

public class CapabilitiesTests
{
    [Theory]
    [InlineData("CapEff:\t000001ffffffffff", true)]
    [InlineData("CapEff:\t0000000000001000", true)]
    [InlineData("CapEff:\t0000000000000000", false)]
    [InlineData("CapEff:\t0000000000000fff", false)]
    public void ParseEffective_CapEffLine_ReadsBit12(string line, bool expected)
    {
        string[] status = ["Name:\tcapture-proxy", "CapInh:\t0000000000000000", "CapPrm:\t000001ffffffffff", line];

        bool has = Capabilities.ParseEffective(status, Capabilities.CAP_NET_ADMIN);

        has.Should().Be(expected);
    }

    [Fact]
    public void ParseEffective_NoCapEffLine_IsFalse()
    {
        Capabilities.ParseEffective(["Name:\tx"], Capabilities.CAP_NET_ADMIN).Should().BeFalse();
    }
}
