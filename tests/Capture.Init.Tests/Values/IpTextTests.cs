using System.Net;
using Capture.Init.Rules;
using Capture.Init.Values;

namespace Capture.Init.Tests.Values;

public class IpTextTests
{
    public static TheoryData<string> Addresses => new()
    {
        "0.0.0.0", "255.255.255.255", "10.0.0.1", "127.0.0.6", "192.168.100.200",
        "::", "::1", "::6", "1::", "fd00::a", "fe80::1:2", "2001:db8::1", "2001:db8:0:0:1:0:0:1", "2001:0:0:1::1",
        "1:2:3:4:5:6:7:8", "1:0:3:4:5:6:7:0", "0:1:0:0:0:1:0:1", "ABCD:EF01::", "::ffff:10.1.2.3", "::ffff:0:10.1.2.3",
        "::10.1.2.3", "::ffff:0.0.0.1", "0:0:0:0:0:ffff:0:0", "1:2:3:4:0:5efe:10.0.0.1", "1:2:3:4:0:5efe:0:0", "::5efe:1.2.3.4",
        "0:0:0:0:1:0:0:0", "1:2::7:8", "1::5:0:0:8",
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public void ParseAndFormat_AgreeWithTheFramework(string text)
    {
        IpText.TryParseAddress(text, out IPAddress address).Should().BeTrue();

        address.Should().Be(IPAddress.Parse(text));
        IpText.Format(address).Should().Be(IPAddress.Parse(text).ToString());
    }

    [Fact]
    public void Format_RandomAddressesWithZeroRuns_MatchesTheFramework()
    {
        Random random = new(20261121); // fixed seed: a failure names an address that reproduces
        byte[] bytes = new byte[16];
        for (int n = 0; n < 20_000; n++)
        {
            random.NextBytes(bytes);
            for (int g = 0; g < 8; g++)
            {
                if (random.Next(3) > 0)
                {
                    bytes[g * 2] = bytes[(g * 2) + 1] = 0; // runs of zero groups of every length and place
                }
            }

            IPAddress v6 = new(bytes);
            IPAddress v4 = new(bytes.AsSpan(0, 4));
            string expected6 = v6.ToString();

            IpText.Format(v6).Should().Be(expected6);
            IpText.Format(v4).Should().Be(v4.ToString());
            IpText.TryParseAddress(expected6, out IPAddress back).Should().BeTrue(expected6);
            back.Should().Be(v6);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10.1")]
    [InlineData("10.0.0")]
    [InlineData("10.0.0.0.1")]
    [InlineData("010.0.0.1")] // octal to inet_aton; Go's netip (Istio) refuses it too
    [InlineData("0x0a.0.0.1")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.4 ")]
    [InlineData("1..2.3")]
    [InlineData("1.2.3.")]
    [InlineData(":")]
    [InlineData(":::")]
    [InlineData("1:::2")]
    [InlineData("1::2::3")]
    [InlineData("1:2:3:4:5:6:7")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("1::2:3:4:5:6:7:8")]
    [InlineData("12345::")]
    [InlineData("1:2:")]
    [InlineData(":1:2:3:4:5:6:7")]
    [InlineData("g::1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    [InlineData("1:2:3:4:5:6:7:1.2.3.4")]
    [InlineData("::1.2.3")]
    [InlineData("example.com")]
    public void TryParseAddress_NotAnAddress_False(string text)
    {
        IpText.TryParseAddress(text, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("10.1.2.3", 8, "10.0.0.0/8")]
    [InlineData("10.1.2.3", 32, "10.1.2.3/32")]
    [InlineData("10.1.2.3", 0, "0.0.0.0/0")]
    [InlineData("fd00:1:8002::5", 33, "fd00:1:8000::/33")]
    [InlineData("::6", 128, "::6/128")]
    public void Network_ClearsHostBits_AndFormatsAsTheFramework(string address, int prefix, string expected)
    {
        IPNetwork network = IpText.Network(IPAddress.Parse(address), prefix);

        IpText.Format(network).Should().Be(expected);
        network.ToString().Should().Be(expected);
    }
}
