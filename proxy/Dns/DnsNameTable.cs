using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Workloads;

namespace Capture.Proxy.Dns;

/// <summary>
/// The names the proxy answers itself, from one version of the workloads file: each service's hostname, and for a
/// Kubernetes hostname <c>name.ns.svc.&lt;domain&gt;</c> the short forms pilot-agent answers too: <c>name.ns.svc</c>,
/// <c>name.ns</c>, and <c>name</c> when <c>ns</c> is the pod's own namespace. Names are kept lower case without the
/// trailing dot. Immutable; a new file gives a new table.
/// </summary>
internal sealed class DnsNameTable
{
    private readonly Dictionary<string, Entry> _names = new(StringComparer.Ordinal);

    public DnsNameTable(LocalConfig config, string ownNamespace)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (MeshService service in config.Services)
        {
            string hostname = service.Hostname.TrimEnd('.').ToLowerInvariant();
            List<IPAddress> v4 = [], v6 = [];
            foreach (ServiceVip vip in service.Vips)
            {
                (vip.Address.AddressFamily == AddressFamily.InterNetwork ? v4 : v6).Add(vip.Address);
            }

            Add(hostname, v4, v6);
            string[] labels = hostname.Split('.');
            if (labels.Length >= 4 && labels[2] == "svc")
            {
                string name = labels[0], ns = labels[1];
                Add(name + "." + ns + ".svc", v4, v6);
                Add(name + "." + ns, v4, v6);
                if (ns == ownNamespace)
                {
                    Add(name, v4, v6);
                }
            }
        }
    }

    public static DnsNameTable Empty { get; } = new(LocalConfig.Empty, "");

    public int Count => _names.Count;

    /// <summary>
    /// The addresses of <paramref name="name"/> (lower case, no trailing dot) of the family <paramref name="type"/>
    /// asks for (A or AAAA; empty for a known name without such addresses). False when the table does not know it.
    /// </summary>
    public bool TryLookup(string name, ushort type, out IReadOnlyList<IPAddress> addresses)
    {
        addresses = [];
        if (!_names.TryGetValue(name, out Entry? entry))
        {
            return false;
        }

        addresses = type == DnsWire.TypeA ? entry.V4 : entry.V6;
        return true;
    }

    // The first service to claim a name keeps it (a later one with the same short form is another namespace's).
    private void Add(string name, List<IPAddress> v4, List<IPAddress> v6) => _names.TryAdd(name, new Entry([.. v4], [.. v6]));

    private sealed record Entry(IPAddress[] V4, IPAddress[] V6);
}
