using System.Net;
using Capture.NativeShims;

namespace Capture.Init.Configuration;

/// <summary>Reads the calling thread's network namespace (getifaddrs) and the resolv.conf file.</summary>
internal sealed class SystemHostFactsReader : IHostFactsReader
{
    public static SystemHostFactsReader Instance { get; } = new();

    public HostFacts Read(CaptureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        RunOptions run = options.Run;
        bool ipv6 = run.Ipv6Mode switch
        {
            Ipv6Mode.On => true,
            Ipv6Mode.Off => false,
            _ => Ipv6Detection.IsIpv6(Ipv6Detection.InKernelOrder(LocalAddresses()), run.DualStack),
        };

        // resolv.conf only matters with --redirect-dns; not reading it otherwise keeps a broken file from mattering.
        IReadOnlyList<IPAddress> servers = options.Rules.RedirectDns ? ResolvConf.ReadNameservers(run.ResolvConfPath) : [];
        return new HostFacts(ipv6, servers, run.ResolvConfPath);
    }

    /// <summary>Every address of every interface, IPv4 first, in the kernel's (netlink dump) order: getifaddrs.</summary>
    public static IEnumerable<IPAddress> LocalAddresses() => InterfaceAddresses.Read();
}
