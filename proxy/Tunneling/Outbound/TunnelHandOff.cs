using Capture.Proxy.Contracts;
using Capture.Proxy.Workloads;

namespace Capture.Proxy.Tunneling.Outbound;

/// <summary>The router's hand-off of one connection: its route, carried to <see cref="OutboundTunnels"/> on the thread pool.</summary>
internal sealed class TunnelHandOff(OutboundTunnels tunnels, OutboundRoute route) : IConnectionHandler
{
    public void Handle(HandedOffConnection connection) =>
        _ = Task.Run(() => tunnels.RunAsync(connection, route));
}
