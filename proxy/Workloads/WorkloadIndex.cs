using System.Net;
using Capture.NativeShims;

namespace Capture.Proxy.Workloads;

/// <summary>
/// Lookups over one version of the workloads file: workload by address, service by VIP and port. Immutable; a new
/// file gives a new index. <see cref="TryRoute"/> runs on the event loops for every outbound connection, so a
/// destination the file does not know costs two dictionary lookups and no allocation.
/// </summary>
internal sealed class WorkloadIndex
{
    private readonly Dictionary<NativeSocketAddress, Workload> _workloadsByAddress = [];
    private readonly Dictionary<NativeSocketAddress, ServiceEndpoints> _servicesByVipPort = [];

    public WorkloadIndex(LocalConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        foreach (Workload workload in config.Workloads)
        {
            foreach (IPAddress ip in workload.WorkloadIps)
            {
                _workloadsByAddress[NativeSocketAddress.From(ip, 0)] = workload;
            }

            HasHbone |= workload.Protocol == WorkloadProtocol.Hbone;
        }

        foreach (MeshService service in config.Services)
        {
            foreach (KeyValuePair<int, int> port in service.Ports)
            {
                ServiceEndpoints endpoints = Endpoints(config, service, port.Key, port.Value);
                foreach (ServiceVip vip in service.Vips)
                {
                    _servicesByVipPort[NativeSocketAddress.From(vip.Address, port.Key)] = endpoints;
                }
            }
        }
    }

    public static WorkloadIndex Empty { get; } = new(LocalConfig.Empty);

    public LocalConfig Config { get; }

    /// <summary>Some workload uses HBONE: the proxy needs its certificates.</summary>
    public bool HasHbone { get; }

    /// <summary>The workload that owns <paramref name="address"/> (port ignored), if the file names one.</summary>
    public Workload? FindWorkload(in NativeSocketAddress address) =>
        _workloadsByAddress.TryGetValue(address.WithPort(0), out Workload? workload) ? workload : null;

    /// <summary>
    /// Where a connection to <paramref name="destination"/> goes: false when it passes through in plaintext to the
    /// original destination (unknown address, a TCP workload, or a service without endpoints).
    /// <paramref name="defaultTrustDomain"/> completes identities of workloads whose entry names no trust domain.
    /// </summary>
    public bool TryRoute(in NativeSocketAddress destination, string defaultTrustDomain, out OutboundRoute? route)
    {
        route = null;
        if (_workloadsByAddress.TryGetValue(destination.WithPort(0), out Workload? workload))
        {
            if (workload.Protocol != WorkloadProtocol.Hbone)
            {
                return false;
            }

            route = new OutboundRoute
            {
                Kind = OutboundRouteKind.Tunnel,
                Target = destination.ToIPEndPoint(),
                Workload = workload,
                ExpectedIdentities = [workload.Identity(defaultTrustDomain)],
            };
            return true;
        }

        if (!_servicesByVipPort.TryGetValue(destination, out ServiceEndpoints? service) || service.Endpoints.Length == 0)
        {
            return false;
        }

        // ztunnel picks at random among a service's endpoints; the file has no health, so all are candidates.
        (Workload chosen, int targetPort) = service.Endpoints[Random.Shared.Next(service.Endpoints.Length)];
        IPAddress address = PickAddress(chosen, destination.Family);
        if (chosen.Protocol != WorkloadProtocol.Hbone)
        {
            route = new OutboundRoute { Kind = OutboundRouteKind.Direct, Target = new IPEndPoint(address, targetPort), Workload = chosen, Service = service.Service };
            return true;
        }

        List<string> identities = [chosen.Identity(defaultTrustDomain)];
        foreach (string san in service.Service.SubjectAltNames)
        {
            if (!identities.Contains(san))
            {
                identities.Add(san);
            }
        }

        route = new OutboundRoute
        {
            Kind = OutboundRouteKind.Tunnel,
            Target = new IPEndPoint(address, targetPort),
            Workload = chosen,
            Service = service.Service,
            ExpectedIdentities = identities,
        };
        return true;
    }

    private static ServiceEndpoints Endpoints(LocalConfig config, MeshService service, int servicePort, int defaultTarget)
    {
        List<(Workload, int)> endpoints = [];
        foreach (Workload workload in config.Workloads)
        {
            if (workload.WorkloadIps.Count > 0 && workload.Services.TryGetValue(service.Key, out IReadOnlyDictionary<int, int>? ports))
            {
                // The workload's own map names its target port; a workload listing the service without this port
                // takes the service's target port.
                endpoints.Add((workload, ports.TryGetValue(servicePort, out int target) ? target : defaultTarget));
            }
        }

        return new ServiceEndpoints(service, [.. endpoints]);
    }

    // Prefer an address of the family the app dialled; a single-family workload gets its only address.
    private static IPAddress PickAddress(Workload workload, System.Net.Sockets.AddressFamily family)
    {
        foreach (IPAddress ip in workload.WorkloadIps)
        {
            if (ip.AddressFamily == family)
            {
                return ip;
            }
        }

        return workload.WorkloadIps[0];
    }

    private sealed record ServiceEndpoints(MeshService Service, (Workload Workload, int TargetPort)[] Endpoints);
}
