using Capture.Proxy.Contracts;
using Capture.Proxy.Identity;
using Capture.Proxy.Workloads;

namespace Capture.Proxy.Tunneling.Outbound;

/// <summary>
/// The engine's router when a workloads file is given: an outbound connection whose original destination the file
/// routes (an HBONE workload, or a service VIP) is handed off to <see cref="OutboundTunnels"/>; everything else, and
/// every inbound connection, passes through as before. Reads the current file version once per connection, so a
/// changed file applies to new connections only; an unknown destination costs two lookups and no allocation.
/// </summary>
internal sealed class HboneRouter(WorkloadsFile workloads, Func<WorkloadCredentials?> credentials, OutboundTunnels tunnels) : IUpstreamRouter
{
    /// <summary>ztunnel's default, for workloads of a file read before any certificate named ours.</summary>
    public const string DefaultTrustDomain = "cluster.local";

    public UpstreamRoute Route(in ConnectionInfo connection)
    {
        if (connection.Direction != TrafficDirection.Outbound)
        {
            return UpstreamRoute.Passthrough;
        }

        string trustDomain = credentials()?.TrustDomain ?? DefaultTrustDomain;
        return workloads.Current.TryRoute(connection.Destination, trustDomain, out OutboundRoute? route)
            ? UpstreamRoute.HandOff(new TunnelHandOff(tunnels, route!))
            : UpstreamRoute.Passthrough;
    }
}
