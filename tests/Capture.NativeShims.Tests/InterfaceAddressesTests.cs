using System.Net;
using System.Net.NetworkInformation;

namespace Capture.NativeShims.Tests;

public class InterfaceAddressesTests
{
    [Fact]
    public void Read_ListsTheSameAddressesAsTheFramework_Ipv4First()
    {
        IReadOnlyList<IPAddress> addresses = InterfaceAddresses.Read();
        IPAddress[] framework = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .ToArray();

        addresses.Should().BeEquivalentTo(framework);
        addresses.Should().Contain(IPAddress.Loopback);
        int lastV4 = addresses.ToList().FindLastIndex(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        int firstV6 = addresses.ToList().FindIndex(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);
        (firstV6 < 0 || lastV4 < firstV6).Should().BeTrue("the kernel dumps every IPv4 address before the IPv6 ones");
    }
}
