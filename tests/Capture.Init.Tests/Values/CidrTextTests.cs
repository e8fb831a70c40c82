using System.Net;
using Capture.Init.Rules;
using Capture.Init.Values;

namespace Capture.Init.Tests.Values;

public class CidrTextTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("10.1.2.3/8", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("fd00:1::5/64", "fd00:1::/64")]
    [InlineData("::1/128", "::1/128")]
    [InlineData("127.0.0.1/32", "127.0.0.1/32")]
    public void TryParse_ValidCidr_MasksHostBits(string text, string expected)
    {
        bool parsed = CidrText.TryParse(text, out IPNetwork network);

        parsed.Should().BeTrue();
        network.ToString().Should().Be(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.0")]
    [InlineData("10/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("10.0.0.0/")]
    [InlineData("fd00::/129")]
    [InlineData("fe80::1%eth0/64")]
    [InlineData("example.com/8")]
    [InlineData("*")]
    public void TryParse_Malformed_False(string text)
    {
        bool parsed = CidrText.TryParse(text, out _);

        parsed.Should().BeFalse();
    }

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1/32")]
    [InlineData("fd00::a", "fd00::a/128")]
    public void TryParse_BareAddressAllowed_HostRoute(string text, string expected)
    {
        bool parsed = CidrText.TryParse(text, out IPNetwork network, allowBareAddress: true);

        parsed.Should().BeTrue();
        network.ToString().Should().Be(expected);
    }
}
