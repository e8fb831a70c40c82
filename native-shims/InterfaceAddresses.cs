using System.Net;

namespace Capture.NativeShims;

/// <summary>getifaddrs(3): the addresses of the calling thread's network namespace.</summary>
public static unsafe class InterfaceAddresses
{
    /// <summary>
    /// Every IPv4 and IPv6 address of every interface, in the order the kernel dumps them over netlink (as getifaddrs
    /// and Go's <c>net.InterfaceAddrs</c> see them): all IPv4 addresses, then all IPv6 ones, each by interface index.
    /// </summary>
    /// <remarks>
    /// In place of <c>NetworkInterface.GetAllNetworkInterfaces()</c>, which also reads per-interface files under /proc and
    /// /sys and parses addresses as text: several milliseconds of a capture-init run that only needs the addresses.
    /// </remarks>
    /// <exception cref="NativeCallException">getifaddrs failed (e.g. no descriptor for its netlink socket).</exception>
    public static IReadOnlyList<IPAddress> Read()
    {
        Interop.Libc.IfAddrs* list;
        if (Interop.Libc.GetIfAddrs(&list) != 0)
        {
            throw new NativeCallException("getifaddrs", Errno.Last);
        }

        try
        {
            var addresses = new List<IPAddress>();
            for (Interop.Libc.IfAddrs* entry = list; entry != null; entry = entry->ifa_next)
            {
                if (entry->ifa_addr == null)
                {
                    continue;
                }

                switch (((Interop.Libc.SockAddrIn*)entry->ifa_addr)->sin_family)
                {
                    case Interop.Libc.AF_INET:
                        uint raw = ((Interop.Libc.SockAddrIn*)entry->ifa_addr)->sin_addr;
                        addresses.Add(new IPAddress(new ReadOnlySpan<byte>(&raw, 4)));
                        break;
                    case Interop.Libc.AF_INET6:
                        Interop.Libc.SockAddrIn6* in6 = (Interop.Libc.SockAddrIn6*)entry->ifa_addr;
                        addresses.Add(new IPAddress(new ReadOnlySpan<byte>(in6->sin6_addr, 16), in6->sin6_scope_id));
                        break;
                }
            }

            return addresses;
        }
        finally
        {
            Interop.Libc.FreeIfAddrs(list);
        }
    }
}
