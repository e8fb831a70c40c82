using System.Net;
using Capture.Init.Configuration;

namespace Capture.Init.Tests.Fakes;

/// <summary>Host facts from fixed values: whether auto-detection finds IPv6, and the resolv.conf servers.</summary>
internal sealed class FakeHostFactsReader(bool detectedIpv6 = false, params IPAddress[] servers) : IHostFactsReader
{
    public int Calls { get; private set; }

    public HostFacts Read(CaptureOptions options)
    {
        Calls++;
        bool ipv6 = options.Run.Ipv6Mode switch
        {
            Ipv6Mode.On => true,
            Ipv6Mode.Off => false,
            _ => detectedIpv6,
        };
        return new HostFacts(ipv6, options.Rules.RedirectDns ? servers : [], options.Run.ResolvConfPath);
    }
}
