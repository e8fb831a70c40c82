using System.Net;

namespace Capture.Proxy.Workloads;

/// <summary>A service's virtual IP, written <c>network/ip</c> in the file (the network may be empty).</summary>
internal readonly record struct ServiceVip(string Network, IPAddress Address)
{
    public override string ToString() => Network + "/" + Address;
}
