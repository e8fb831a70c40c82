using System.Net;
using YamlDotNet.RepresentationModel;

namespace Capture.Proxy.Workloads;

/// <summary>The <c>workloads</c> and <c>services</c> lists.</summary>
internal sealed partial class LocalConfigParser
{
    private Workload ParseWorkload(YamlMappingNode entry, string where)
    {
        string? name = null, @namespace = null;
        Workload workload = new() { Name = "", Namespace = "" };
        foreach (KeyValuePair<YamlNode, YamlNode> field in entry.Children)
        {
            string key = Key(field.Key, where);
            YamlNode value = field.Value;
            workload = key switch
            {
                "name" => workload with { Name = name = RequiredString(value, where, key) },
                "namespace" => workload with { Namespace = @namespace = RequiredString(value, where, key) },
                "uid" => workload with { Uid = String(value, where, key) },
                "serviceAccount" => workload with { ServiceAccount = RequiredString(value, where, key) },
                "trustDomain" => workload with { TrustDomain = String(value, where, key) },
                "workloadIps" => workload with { WorkloadIps = AddressList(value, where, key) },
                "protocol" => workload with { Protocol = Protocol(value, where, key) },
                "services" => workload with { Services = WorkloadServices(value, where, key) },
                "authorizationPolicies" => workload with { AuthorizationPolicies = StringList(value, where, key) },
                "node" => workload with { Node = String(value, where, key) },
                "network" => workload with { Network = String(value, where, key) },
                "canonicalName" => workload with { CanonicalName = String(value, where, key) },
                "canonicalRevision" => workload with { CanonicalRevision = String(value, where, key) },
                "workloadName" => workload with { WorkloadName = String(value, where, key) },
                "workloadType" => workload with { WorkloadType = String(value, where, key) },
                "clusterId" => workload with { ClusterId = String(value, where, key) },
                _ => throw Error(where, key, field.Key,
                    "unknown field; a workload has uid, name, namespace, serviceAccount, trustDomain, workloadIps, protocol, " +
                    "services, authorizationPolicies, node, network, canonicalName, canonicalRevision, workloadName, workloadType, clusterId"),
            };
        }

        if (name is null || @namespace is null)
        {
            throw Error(where, name is null ? "name" : "namespace", entry, "is required");
        }

        return workload;
    }

    private List<IPAddress> AddressList(YamlNode node, string where, string field)
    {
        List<IPAddress> addresses = [];
        if (!IsNull(node))
        {
            foreach (YamlNode item in Sequence(node, where, field).Children)
            {
                addresses.Add(Address(item, where, field));
            }
        }

        return addresses;
    }

    private WorkloadProtocol Protocol(YamlNode node, string where, string field) => String(node, where, field) switch
    {
        "HBONE" => WorkloadProtocol.Hbone,
        "TCP" => WorkloadProtocol.Tcp,
        string other => throw Error(where, field, node, $"\"{other}\" is not HBONE or TCP"),
    };

    private Dictionary<string, IReadOnlyDictionary<int, int>> WorkloadServices(YamlNode node, string where, string field)
    {
        Dictionary<string, IReadOnlyDictionary<int, int>> services = new(StringComparer.Ordinal);
        if (IsNull(node))
        {
            return services;
        }

        foreach (KeyValuePair<YamlNode, YamlNode> pair in Mapping(node, where, field).Children)
        {
            string key = String(pair.Key, where, field);
            int slash = key.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash == key.Length - 1)
            {
                throw Error(where, field, pair.Key, $"\"{key}\" is not namespace/hostname (such as default/reviews.default.svc.cluster.local)");
            }

            services[key] = PortMap(pair.Value, where, field + "." + key);
        }

        return services;
    }

    private MeshService ParseService(YamlMappingNode entry, string where)
    {
        string? name = null, @namespace = null, hostname = null;
        MeshService service = new() { Name = "", Namespace = "", Hostname = "" };
        foreach (KeyValuePair<YamlNode, YamlNode> field in entry.Children)
        {
            string key = Key(field.Key, where);
            YamlNode value = field.Value;
            service = key switch
            {
                "name" => service with { Name = name = RequiredString(value, where, key) },
                "namespace" => service with { Namespace = @namespace = RequiredString(value, where, key) },
                "hostname" => service with { Hostname = hostname = RequiredString(value, where, key) },
                "vips" => service with { Vips = Vips(value, where, key) },
                "ports" => service with { Ports = PortMap(value, where, key) },
                "subjectAltNames" => service with { SubjectAltNames = Identities(value, where, key) },
                _ => throw Error(where, key, field.Key, "unknown field; a service has name, namespace, hostname, vips, ports, subjectAltNames"),
            };
        }

        if (name is null || @namespace is null || hostname is null)
        {
            throw Error(where, name is null ? "name" : @namespace is null ? "namespace" : "hostname", entry, "is required");
        }

        return service;
    }

    private List<ServiceVip> Vips(YamlNode node, string where, string field)
    {
        List<ServiceVip> vips = [];
        if (IsNull(node))
        {
            return vips;
        }

        foreach (YamlNode item in Sequence(node, where, field).Children)
        {
            // "<network>/<ip>" with a possibly empty network; a bare address is taken as the default network.
            string text = String(item, where, field);
            int slash = text.IndexOf('/', StringComparison.Ordinal);
            string network = slash < 0 ? "" : text[..slash];
            vips.Add(new ServiceVip(network, Address(text[(slash + 1)..], item, where, field)));
        }

        return vips;
    }

    private List<string> Identities(YamlNode node, string where, string field)
    {
        List<string> identities = StringList(node, where, field);
        if (!IsNull(node))
        {
            YamlSequenceNode items = Sequence(node, where, field);
            for (int i = 0; i < identities.Count; i++)
            {
                if (!identities[i].StartsWith(Identity.SpiffeIdentity.Scheme, StringComparison.Ordinal))
                {
                    throw Error(where, field, items.Children[i], $"\"{identities[i]}\" is not a spiffe:// identity");
                }
            }
        }

        return identities;
    }
}
