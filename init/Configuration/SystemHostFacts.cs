using System.Net;
using System.Net.NetworkInformation;

namespace Capture.Init.Configuration;

/// <summary>Reads the calling thread's network namespace (System.Net.NetworkInformation) and the resolv.conf file.</summary>
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

    /// <summary>Every unicast address of every interface, in interface order.</summary>
    public static IEnumerable<IPAddress> LocalAddresses()
    {
        foreach (NetworkInterface networkInterface in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (UnicastIPAddressInformation unicast in networkInterface.GetIPProperties().UnicastAddresses)
            {
                yield return unicast.Address;
            }
        }
    }
}
