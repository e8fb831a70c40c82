using System.Net;
using Capture.Proxy.Tunneling.Inbound;
using Capture.Proxy.Tunneling.Outbound;

namespace Capture.Proxy.Tests.Tunneling;

/// <summary>
/// The addresses in a CONNECT's headers, both families: the authority our outbound side writes and our 15008 accepts,
/// and the <c>forwarded</c> header naming the app.
/// </summary>
public sealed class TunnelAddressingTests
{
    [Theory]
    [InlineData("10.44.0.20:9080", "10.44.0.20", 9080)]
    [InlineData("[fd00:44::20]:9080", "fd00:44::20", 9080)]
    [InlineData("[FD00:0044:0:0:0:0:0:0020]:9080", "fd00:44::20", 9080)]
    public void TryParseAuthority_AddressAndPort_IsThatEndPoint(string authority, string address, int port)
    {
        InboundStreamHandler.TryParseAuthority(authority, out IPEndPoint? endPoint).Should().BeTrue();

        endPoint.Should().Be(new IPEndPoint(IPAddress.Parse(address), port));
    }

    [Theory]
    [InlineData("fd00:44::20:9080")] // unbracketed: the last group would be the port
    [InlineData("[fd00:44::20]")]
    [InlineData("fd00:44::20")]
    [InlineData("[10.44.0.20]:9080")]
    [InlineData("[fd00:44::20]:0")]
    [InlineData("[fd00:44::20]:65536")]
    [InlineData("reviews:9080")]
    [InlineData("")]
    public void TryParseAuthority_NotAnAddressWithAPort_IsRefused(string authority)
    {
        InboundStreamHandler.TryParseAuthority(authority, out _).Should().BeFalse();
    }

    [Fact]
    public void TryParseAuthority_Ipv4MappedIpv6_IsThePlainIpv4EndPoint()
    {
        // The local-address check already reads ::ffff:a.b.c.d as a.b.c.d; the connect to the app must too, or an
        // IPv6 socket bound to ::6 cannot reach the IPv4 app (ENETUNREACH, a 503) and the log shows the mapped form.
        InboundStreamHandler.TryParseAuthority("[::ffff:10.44.0.20]:9080", out IPEndPoint? endPoint).Should().BeTrue();

        endPoint.Should().Be(new IPEndPoint(IPAddress.Parse("10.44.0.20"), 9080));
    }

    [Fact]
    public void Authority_Ipv6Target_IsBracketedRfc5952()
    {
        OutboundTunnels.Authority(new IPEndPoint(IPAddress.Parse("FD00:0044:0:0:0:0:0:0020"), 9080)).Should().Be("[fd00:44::20]:9080");
        OutboundTunnels.Authority(new IPEndPoint(IPAddress.Parse("10.44.0.20"), 9080)).Should().Be("10.44.0.20:9080");
    }

    [Fact]
    public void Forwarded_Ipv6Source_IsQuotedAndBracketed_AndReadsBack()
    {
        IPEndPoint source = new(IPAddress.Parse("fd00:44::10"), 41234);

        string header = OutboundTunnels.Forwarded(source);

        header.Should().Be("for=\"[fd00:44::10]:41234\"", "RFC 7239 §6: an IPv6 node is bracketed and the value quoted");
        InboundStreamHandler.Forwarded(header).Should().Be(source);
        InboundStreamHandler.Forwarded("for=\"[fd00:44::10]:41234\";proto=https, for=10.0.0.1:1").Should().Be(source, "the first for= counts");
    }
}
