using System.Net;
using System.Net.Sockets;

namespace Capture.NativeShims.Tests;

public class NativeSocketAddressTests
{
    [Theory]
    [InlineData("10.1.2.3", 8080)]
    [InlineData("127.0.0.6", 0)]
    [InlineData("::6", 15006)]
    [InlineData("fd00::1:2", 65535)]
    public void From_RoundTripsThroughIPEndPoint(string address, int port)
    {
        IPEndPoint endPoint = new(IPAddress.Parse(address), port);

        NativeSocketAddress native = NativeSocketAddress.From(endPoint);

        native.ToIPEndPoint().Should().Be(endPoint);
        native.Port.Should().Be(port);
        native.Family.Should().Be(endPoint.AddressFamily);
    }

    [Fact]
    public void From_Ipv4_IsNetworkByteOrder()
    {
        NativeSocketAddress native = NativeSocketAddress.From(IPAddress.Parse("1.2.3.4"), 0x1234);

        native.In.sin_family.Should().Be(2);
        native.In.sin_port.Should().Be(0x3412);
        BitConverter.GetBytes(native.In.sin_addr).Should().Equal(1, 2, 3, 4);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.9.9.9", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("::2", false)]
    public void IsLoopback_MatchesIPAddress(string address, bool expected)
    {
        NativeSocketAddress native = NativeSocketAddress.From(IPAddress.Parse(address), 1);

        native.IsLoopback.Should().Be(expected);
    }

    [Fact]
    public void Equality_ComparesFamilyAddressAndPort()
    {
        NativeSocketAddress a = NativeSocketAddress.From(IPAddress.Parse("fd00::1"), 80);
        NativeSocketAddress b = NativeSocketAddress.From(IPAddress.Parse("fd00::1"), 80);
        NativeSocketAddress c = NativeSocketAddress.From(IPAddress.Parse("fd00::1"), 81);

        (a == b).Should().BeTrue();
        a.GetHashCode().Should().Be(b.GetHashCode());
        (a == c).Should().BeFalse();
        a.SameAddress(c).Should().BeTrue();
        default(NativeSocketAddress).Family.Should().Be(AddressFamily.Unspecified);
    }
}
