using System.Net;
using System.Net.Sockets;

namespace Capture.Init.Configuration;

/// <summary>
/// istio-iptables' IPv6 decision (its getLocalIP): walk the pod's addresses and look at the first one that is not
/// loopback or link-local; IPv6 is on when that address is IPv6. With --dual-stack, IPv6 is on when any such address
/// is IPv6.
/// </summary>
/// <remarks>
/// Go's net.InterfaceAddrs() dumps addresses over netlink with AF_UNSPEC, and the kernel answers family by family:
/// every IPv4 address first, then every IPv6 one. So "first" means: IPv6 only when the pod has no usable IPv4 address
/// at all (a single-stack IPv6 pod). <see cref="InKernelOrder"/> reproduces that order.
/// </remarks>
internal static class Ipv6Detection
{
    /// <summary>Whether IPv6 rules are needed, given the addresses in kernel dump order.</summary>
    public static bool IsIpv6(IEnumerable<IPAddress> addresses, bool dualStack)
    {
        foreach (IPAddress raw in addresses)
        {
            IPAddress address = raw.IsIPv4MappedToIPv6 ? raw.MapToIPv4() : raw;
            if (!IsUsable(address))
            {
                continue;
            }

            bool isIpv6 = address.AddressFamily == AddressFamily.InterNetworkV6;
            if (!dualStack || isIpv6)
            {
                return isIpv6;
            }
        }

        return false;
    }

    /// <summary>Orders addresses as a netlink AF_UNSPEC dump does: IPv4 first, then IPv6, each in interface order.</summary>
    public static IEnumerable<IPAddress> InKernelOrder(IEnumerable<IPAddress> addresses)
    {
        var ipv6 = new List<IPAddress>();
        foreach (IPAddress address in addresses)
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv4MappedToIPv6)
            {
                ipv6.Add(address);
            }
            else
            {
                yield return address;
            }
        }

        foreach (IPAddress address in ipv6)
        {
            yield return address;
        }
    }

    private static bool IsUsable(IPAddress address)
    {
        if (IPAddress.IsLoopback(address))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return !address.IsIPv6LinkLocal && !address.IsIPv6Multicast && !address.Equals(IPAddress.IPv6Any);
        }

        // 169.254.0.0/16 is IPv4 link-local (Go's IsLinkLocalUnicast).
        byte[] bytes = address.GetAddressBytes();
        return !(bytes[0] == 169 && bytes[1] == 254) && !address.Equals(IPAddress.Any);
    }
}
