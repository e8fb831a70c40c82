using System.Net;
using Capture.Init.Values;

namespace Capture.Init.Rules;

/// <summary><c>ip -6 addr add ::6/128 dev lo</c>: the inbound-passthrough source address the proxy binds for IPv6.</summary>
internal sealed record IpAddressAdd(IpFamily Family, IPNetwork Address, string Device = "lo") : RouteCommand(Family)
{
    private protected override void AppendArguments(List<string> arguments)
    {
        arguments.Add("addr");
        arguments.Add("add");
        arguments.Add(IpText.Format(Address));
        arguments.Add("dev");
        arguments.Add(Device);
    }
}
