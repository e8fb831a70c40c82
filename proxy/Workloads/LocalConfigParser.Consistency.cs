using System.Net;
using YamlDotNet.RepresentationModel;

namespace Capture.Proxy.Workloads;

/// <summary>Checks across entries: an address or name used twice would make lookups ambiguous.</summary>
internal sealed partial class LocalConfigParser
{
    private void CheckConsistency(LocalConfig config, YamlMappingNode root)
    {
        Dictionary<IPAddress, string> workloadIps = [];
        for (int i = 0; i < config.Workloads.Count; i++)
        {
            Workload workload = config.Workloads[i];
            foreach (IPAddress ip in workload.WorkloadIps)
            {
                if (!workloadIps.TryAdd(ip, workload.Name))
                {
                    throw Error(Where("workloads", i, workload.Name), "workloadIps", Item(root, "workloads", i),
                        $"{ip} is also the address of workload {workloadIps[ip]}");
                }
            }
        }

        Dictionary<string, string> serviceKeys = new(StringComparer.Ordinal);
        Dictionary<(IPAddress, int), string> vipPorts = [];
        for (int i = 0; i < config.Services.Count; i++)
        {
            MeshService service = config.Services[i];
            string where = Where("services", i, service.Name);
            if (!serviceKeys.TryAdd(service.Key, service.Name))
            {
                throw Error(where, "hostname", Item(root, "services", i), $"{service.Key} is listed twice");
            }

            foreach (ServiceVip vip in service.Vips)
            {
                if (workloadIps.TryGetValue(vip.Address, out string? workload))
                {
                    throw Error(where, "vips", Item(root, "services", i), $"{vip.Address} is also the address of workload {workload}");
                }

                foreach (int port in service.Ports.Keys)
                {
                    if (!vipPorts.TryAdd((vip.Address, port), service.Key))
                    {
                        throw Error(where, "vips", Item(root, "services", i), $"{vip.Address} port {port} also belongs to {vipPorts[(vip.Address, port)]}");
                    }
                }
            }
        }

        HashSet<string> policyKeys = new(StringComparer.Ordinal);
        for (int i = 0; i < config.Policies.Count; i++)
        {
            Policies.AuthorizationPolicy policy = config.Policies[i];
            if (!policyKeys.Add(policy.Key))
            {
                throw Error(Where("policies", i, policy.Name), "name", Item(root, "policies", i), $"{policy.Key} is listed twice");
            }
        }
    }

    private static string Where(string list, int index, string name) => $"{list}[{index}] ({name})";

    private static YamlNode Item(YamlMappingNode root, string list, int index) =>
        ((YamlSequenceNode)root.Children[new YamlScalarNode(list)]).Children[index];
}
