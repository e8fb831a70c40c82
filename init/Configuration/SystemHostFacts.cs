using System.Net;
using Capture.NativeShims;

namespace Capture.Init.Configuration;

/// <summary>Reads the calling thread's network namespace (getifaddrs) and the resolv.conf file.</summary>
internal sealed class SystemHostFacts : IHostFacts
{
    public static SystemHostFacts Instance { get; } = new();

    public CaptureOptions Resolve(CaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool ipv6 = options.Ipv6Mode switch
        {
            Ipv6Mode.On => true,
            Ipv6Mode.Off => false,
            _ => Ipv6Detection.IsIpv6(Ipv6Detection.InKernelOrder(LocalAddresses()), options.DualStack),
        };

        // resolv.conf only matters with --redirect-dns; not reading it otherwise keeps a broken file from mattering.
        IReadOnlyList<IPAddress> servers = options.RedirectDns ? ResolvConf.ReadNameservers(options.ResolvConfPath) : [];
        return options with { Ipv6Enabled = ipv6, DnsServers = servers };
    }

    /// <summary>Every address of every interface, IPv4 first, in the kernel's (netlink dump) order: getifaddrs.</summary>
    public static IEnumerable<IPAddress> LocalAddresses() => InterfaceAddresses.Read();
}
