using System.Net;
using Capture.Init.Configuration;

namespace Capture.Init.Tests.Configuration;

public class Ipv6DetectionTests
{
    private static IPAddress[] Addresses(params string[] addresses) => addresses.Select(IPAddress.Parse).ToArray();

    [Theory]
    [InlineData(false, false, "127.0.0.1", "::1", "10.244.0.5", "fd00::5")]
    [InlineData(false, false, "127.0.0.1", "10.244.0.5")]
    [InlineData(true, false, "127.0.0.1", "::1", "fe80::1", "fd00::5")]
    [InlineData(true, false, "169.254.1.1", "fd00::5")]
    [InlineData(false, false, "127.0.0.1", "::1", "fe80::1")]
    [InlineData(false, false)]
    [InlineData(true, true, "10.244.0.5", "fd00::5")]
    [InlineData(false, true, "10.244.0.5", "fe80::5")]
    [InlineData(true, false, "::ffff:169.254.0.1", "2001:db8::1")]
    public void IsIpv6_Addresses_AsIstioDecides(bool expected, bool dualStack, params string[] addresses)
    {
        bool ipv6 = Ipv6Detection.IsIpv6(Ipv6Detection.InKernelOrder(Addresses(addresses)), dualStack);

        ipv6.Should().Be(expected);
    }

    [Fact]
    public void InKernelOrder_Ipv6BeforeIpv4InInterfaceOrder_Ipv4First()
    {
        IEnumerable<IPAddress> ordered = Ipv6Detection.InKernelOrder(Addresses("fd00::5", "10.0.0.1", "fd00::6", "10.0.0.2"));

        ordered.Select(a => a.ToString()).Should().Equal("10.0.0.1", "10.0.0.2", "fd00::5", "fd00::6");
    }

    [Fact]
    public void IsIpv6_SingleStackIpv6InterfaceListedFirst_StillIpv4WhenIpv4Exists()
    {
        // Go dumps IPv4 addresses first, so a pod with any usable IPv4 address is not "IPv6" without --dual-stack.
        bool ipv6 = Ipv6Detection.IsIpv6(Ipv6Detection.InKernelOrder(Addresses("fd00::5", "10.0.0.1")), dualStack: false);

        ipv6.Should().BeFalse();
    }

    [Fact]
    public void LocalAddresses_ThisNamespace_IncludesLoopback()
    {
        IPAddress[] addresses = SystemHostFactsReader.LocalAddresses().ToArray();

        addresses.Should().Contain(IPAddress.Loopback);
    }
}
