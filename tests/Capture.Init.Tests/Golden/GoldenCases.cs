namespace Capture.Init.Tests.Golden;

/// <summary>The golden table. IPv6 is always explicit (--ipv6), so the result never depends on the machine.</summary>
public static class GoldenCases
{
    private static readonly string[] s_injector =
        ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"];

    private const string ClusterDns = "# written by kubelet\nsearch default.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\nnameserver fd00:10:96::a\noptions ndots:5\n";

    public static IReadOnlyList<GoldenCase> All { get; } =
    [
        new("rules-md-example", [.. s_injector, "--ipv6", "false"]),
        new("injector-ipv6", ["istio-iptables", .. s_injector, "--ipv6=true"]),
        new("defaults-only", ["--ipv6", "false"]),
        new("tproxy-all-ports", ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "TPROXY", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020", "--ipv6", "false"]),
        new("tproxy-port-list-ipv6", ["-m", "TPROXY", "-i", "*", "-b", "9080,9090,", "--ipv6", "true"]),
        new("tproxy-no-inbound", ["-m", "TPROXY", "-i", "*", "--ipv6", "false"]),
        new("tproxy-custom-mark-table", ["-p", "16001", "-z", "16006", "-e", "16008", "-t", "1500", "-r", "200", "-m", "TPROXY", "-b", "*", "-i", "*", "--ipv6", "true"]),
        new("dns-servers-ipv6", [.. s_injector, "--redirect-dns", "--ipv6", "true", "--resolv-conf", "{resolv.conf}"], ClusterDns),
        new("dns-servers-ipv4-only", [.. s_injector, "--redirect-dns=true", "--ipv6", "false", "--resolv-conf", "{resolv.conf}"], ClusterDns),
        new("dns-capture-all", [.. s_injector, "--redirect-dns", "--capture-all-dns", "--ipv6", "true", "--resolv-conf", "{resolv.conf}"], "# no servers\n"),
        new("dns-no-servers", [.. s_injector, "--redirect-dns", "--ipv6", "false", "--resolv-conf", "{resolv.conf}"], "options ndots:5\n"),
        new("exclude-interfaces", ["-c", "eth1,eth2", "-i", "*", "-b", "*", "--ipv6", "false"]),
        new("exclude-interfaces-tproxy", ["-c", "eth1", "-m", "TPROXY", "-i", "*", "-b", "8080", "--ipv6", "false"]),
        new("kube-virt-all", ["-k", "kv0,kv1", "-i", "*", "-b", "*", "--ipv6", "false"]),
        new("kube-virt-cidrs", ["-k", "kv0", "-i", "10.0.0.0/8,fd00::/8", "-b", "8080", "--ipv6", "true"]),
        new("outbound-ports", ["-q", "3306,5432", "-o", "25,465", "-i", "10.96.0.0/12", "--ipv6", "false"]),
        new("exclude-cidrs-by-family", ["-i", "*", "-x", "10.0.0.0/8,169.254.169.254/32,fd00:1::/64", "-b", "*", "--ipv6", "true"]),
        new("include-cidrs-by-family-ipv4-only", ["-i", "10.0.0.0/8,fd00::/8", "-x", "10.1.0.0/16,fd00:1::/64", "--ipv6", "false"]),
        new("owner-groups-include", ["-i", "*", "--ipv6", "false"], Environment: [("ISTIO_OUTBOUND_OWNER_GROUPS", "1234,5678,")]),
        new("owner-groups-exclude", ["-i", "*", "--ipv6", "false"], Environment: [("ISTIO_OUTBOUND_OWNER_GROUPS_EXCLUDE", "1001,1002")]),
        new("drop-invalid", ["--drop-invalid", "-i", "*", "-b", "*", "--ipv6", "true"]),
        new("several-uids-gids", ["-u", "1337,1338", "-g", "1337,2000", "-i", "*", "-b", "*", "--ipv6", "false"]),
        new("loopback-in-include", ["-i", "127.0.0.1/32,10.0.0.0/8", "-b", "8080", "--ipv6", "false"]),
        new("loopback-cidr-env", ["-i", "*", "-b", "*", "--ipv6", "false"], Environment: [("ISTIO_OUTBOUND_IPV4_LOOPBACK_CIDR", "127.0.0.0/8")]),
        new("everything-tproxy-ipv6",
            ["-m", "TPROXY", "-b", "*", "-d", "15020", "-i", "*", "-x", "10.0.0.0/8,fd00:2::/64", "-q", "3306", "-o", "25", "-c", "eth9",
             "-k", "kv0", "-u", "1337,1338", "-g", "1337", "--redirect-dns", "--drop-invalid", "--ipv6", "true", "--resolv-conf", "{resolv.conf}"],
            ClusterDns),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (GoldenCase golden in All)
        {
            data.Add(golden.Name);
        }

        return data;
    }

    public static GoldenCase Get(string name) => All.Single(c => c.Name == name);
}
