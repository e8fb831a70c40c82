using System.Net;
using Capture.Init.Configuration;

namespace Capture.Init.Tests.Fakes;

/// <summary>Host facts from fixed values: whether auto-detection finds IPv6, and the resolv.conf servers.</summary>
internal sealed class FakeHostFacts(bool detectedIpv6 = false, params IPAddress[] servers) : IHostFacts
{
    public int Calls { get; private set; }

    public CaptureOptions Resolve(CaptureOptions options)
    {
        Calls++;
        bool ipv6 = options.Ipv6Mode switch
        {
            Ipv6Mode.On => true,
            Ipv6Mode.Off => false,
            _ => detectedIpv6,
        };
        return options with { Ipv6Enabled = ipv6, DnsServers = options.RedirectDns ? servers : [] };
    }
}
