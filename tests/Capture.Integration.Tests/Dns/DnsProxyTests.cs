using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Capture.Integration.Tests.Infrastructure;
using Capture.Integration.Tests.Proxy;

namespace Capture.Integration.Tests.Dns;

/// <summary>
/// The DNS proxy for real: a pod applied with <c>capture-init --redirect-dns</c>, capture-proxy running as UID 1337
/// with a workloads file, dnsmasq in the peer namespace as the nameserver resolv.conf names. glibc's resolver
/// (<c>getent ahosts</c>, run in the pod as UID 1000) asks the nameserver; the rules send it to 15053.
/// </summary>
public sealed class DnsProxyTests
{
    private const string MeshVipV4 = "10.96.0.20";
    private const string MeshVipV6 = "fd00:96::20";
    private const string OutsideV4 = "192.0.2.77";
    private const string OutsideV6 = "2001:db8::77";

    [RequiresRootFact(Tools = ["dnsmasq", "getent", "setpriv"])]
    public async Task Getent_MeshAndOutsideNames_ResolvedOverUdpAndTcpIpv4AndIpv6()
    {
        using DnsWorld world = await DnsWorld.StartAsync();
        foreach (bool ipv6 in new[] { false, true })
        {
            foreach (bool tcp in new[] { false, true })
            {
                string how = $"{(ipv6 ? "IPv6" : "IPv4")} nameserver over {(tcp ? "TCP" : "UDP")}";
                world.UseResolvConf(ipv6, tcp);

                // "reviews" resolves through the search list (reviews.default.svc.cluster.local); both families answered.
                world.Getent("reviews").Should().BeEquivalentTo([MeshVipV4, MeshVipV6], how);
                world.Getent("reviews.default").Should().BeEquivalentTo([MeshVipV4, MeshVipV6], how);
                world.Getent("outside.test").Should().BeEquivalentTo([OutsideV4, OutsideV6], how);
            }
        }

        string metrics = await world.Proxy.ScrapeAsync();
        ProxyProcess.Metric(metrics, "capture_dns_queries_total", "result=\"local\"", "transport=\"udp\"").Should().BeGreaterThan(0);
        ProxyProcess.Metric(metrics, "capture_dns_queries_total", "result=\"local\"", "transport=\"tcp\"").Should().BeGreaterThan(0);
        ProxyProcess.Metric(metrics, "capture_dns_queries_total", "result=\"forwarded\"", "transport=\"udp\"").Should().BeGreaterThan(0);
        ProxyProcess.Metric(metrics, "capture_dns_queries_total", "result=\"forwarded\"", "transport=\"tcp\"").Should().BeGreaterThan(0);
        ProxyProcess.Metric(metrics, "capture_dns_upstream_latency_microseconds_count").Should().BeGreaterThan(0);
        world.DnsmasqQueries("reviews").Should().Be(0, "mesh names are answered by the proxy, never forwarded");
    }

    [RequiresRootFact(Tools = ["dnsmasq", "getent", "setpriv"])]
    public async Task Abuse_GarbageBurstAndSilentUpstream_KeepsAnsweringWithBoundedMemory()
    {
        using DnsWorld world = await DnsWorld.StartAsync();
        world.UseResolvConf(ipv6: false, tcp: false);
        long rssBefore = world.ProxyRssKb();
        IPEndPoint dns = new(IPAddress.Loopback, 15053);

        // 10,000 datagrams at once: a third garbage of any size, a third for a name dnsmasq never answers (it drops
        // *.blackhole.test: the upstream that never answers), a third for a mesh name.
        await world.Topology.Pod.RunAsync(() =>
        {
            using Socket flood = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            Random random = new(14);
            for (int i = 0; i < 10_000; i++)
            {
                byte[] datagram = (i % 3) switch
                {
                    0 => Query((ushort)i, $"q{i}.blackhole.test"),
                    1 => RandomBytes(random, random.Next(0, 1500)),
                    _ => Query((ushort)i, "reviews.default.svc.cluster.local"),
                };
                flood.SendTo(datagram, dns);
            }

            return 0;
        });

        world.Getent("reviews").Should().BeEquivalentTo([MeshVipV4, MeshVipV6], "local names are answered during the flood");
        // The flood's unanswerable queries hold the 128 upstream slots for their 5 s; beyond them queries get SERVFAIL at
        // once rather than queueing. Once they time out, forwarding works again by itself.
        (await world.GetentEventuallyAsync("outside.test", TimeSpan.FromSeconds(20))).Should().BeEquivalentTo([OutsideV4, OutsideV6]);
        string metrics = await world.Proxy.ScrapeAsync();
        // The kernel drops what overflows the socket's receive buffer during the burst (seen: 892 of 3,333 garbage
        // datagrams reached the proxy); what arrives is counted.
        ProxyProcess.Metric(metrics, "capture_dns_queries_total", "result=\"malformed\"").Should().BeGreaterThan(0);
        ProxyProcess.Metric(metrics, "capture_dns_upstream_outstanding").Should().BeLessThanOrEqualTo(128);
        long rssAfter = world.ProxyRssKb();
        (rssAfter - rssBefore).Should().BeLessThan(64 * 1024, $"RSS went from {rssBefore} KB to {rssAfter} KB");
        world.Proxy.Process.HasExited.Should().BeFalse();
    }

    private static byte[] Query(ushort id, string name)
    {
        List<byte> bytes = [(byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        foreach (string label in name.Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, 0, 1, 0, 1]);
        return [.. bytes];
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>The pod with capture and the proxy, dnsmasq in the peer, and the pod's own resolv.conf (ip netns exec mounts it).</summary>
    private sealed class DnsWorld : IDisposable
    {
        private readonly TemporaryDirectory _files;
        private readonly BackgroundProcess _dnsmasq;
        private readonly string _netnsEtc;

        private DnsWorld(PodTopology topology, ProxyProcess proxy, TemporaryDirectory files, BackgroundProcess dnsmasq, string netnsEtc)
        {
            Topology = topology;
            Proxy = proxy;
            _files = files;
            _dnsmasq = dnsmasq;
            _netnsEtc = netnsEtc;
        }

        public PodTopology Topology { get; }

        public ProxyProcess Proxy { get; }

        public static async Task<DnsWorld> StartAsync()
        {
            TemporaryDirectory files = TemporaryDirectory.Create();
            PodTopology? topology = null;
            BackgroundProcess? dnsmasq = null;
            string? netnsEtc = null;
            try
            {
                topology = PodTopology.Create("dns");
                IPAddress v4 = topology.PeerIPv4, v6 = topology.PeerIPv6;
                string resolv = Write(files, "resolv.conf", $"search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver {v4}\nnameserver {v6}\n");
                string workloads = Write(files, "workloads.yaml", $"""
                    services:
                    - name: reviews
                      namespace: default
                      hostname: reviews.default.svc.cluster.local
                      vips: ["/{MeshVipV4}", "/{MeshVipV6}"]
                      ports: {"{9080: 9080}"}
                    """);
                Chmod(files.Path);

                // dnsmasq answers outside.test and ignores *.blackhole.test (a server that never answers those).
                dnsmasq = topology.Peer.StartProcess("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                    "--bind-interfaces", $"--listen-address={v4},{v6}", "--port=53", "--pid-file=", "--user=root", "--log-queries", "--log-facility=-",
                    $"--address=/outside.test/{OutsideV4}", $"--address=/outside.test/{OutsideV6}", "--server=/blackhole.test/192.0.2.250");
                await WaitForDnsmasqAsync(topology, dnsmasq);

                netnsEtc = NetnsResolvConf.Write(topology.Pod, File.ReadAllText(resolv));

                string[] init = [.. CaptureInit.DefaultIstioInitArguments, "--ipv6", "true", "--redirect-dns", "--resolv-conf", resolv];
                CaptureInit.RunIn(topology.Pod, init).EnsureSuccess();
                ProxyProcess proxy = await ProxyProcess.StartAsync(topology.Pod, ["--workers", "1", "--workloads", workloads, "--resolv-conf", resolv]);
                return new DnsWorld(topology, proxy, files, dnsmasq, netnsEtc);
            }
            catch
            {
                dnsmasq?.Dispose();
                topology?.Dispose();
                if (netnsEtc is not null)
                {
                    NetnsResolvConf.Remove(netnsEtc);
                }

                files.Dispose();
                throw;
            }
        }

        /// <summary>The pod's resolv.conf for the next lookups: one nameserver of a family, UDP or TCP (glibc's use-vc).</summary>
        public void UseResolvConf(bool ipv6, bool tcp)
        {
            IPAddress server = ipv6 ? Topology.PeerIPv6 : Topology.PeerIPv4;
            File.WriteAllText(Path.Combine(_netnsEtc, "resolv.conf"),
                $"search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver {server}\noptions timeout:2 attempts:1{(tcp ? " use-vc" : "")}\n");
        }

        /// <summary>The addresses glibc finds for <paramref name="name"/>, asked by UID 1000 in the pod.</summary>
        public string[] Getent(string name)
        {
            ProcessResult result = Topology.Pod.Exec("setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "getent", "ahosts", name);
            result.ExitCode.Should().Be(0, $"getent ahosts {name}: {result.Stderr}\nproxy log:\n{Proxy.Output}\ndnsmasq:\n{_dnsmasq.Stderr}");
            return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)[0]).Distinct().ToArray();
        }

        public async Task<string[]> GetentEventuallyAsync(string name, TimeSpan within)
        {
            Stopwatch waited = Stopwatch.StartNew();
            while (true)
            {
                ProcessResult result = Topology.Pod.Exec("setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "getent", "ahosts", name);
                if (result.ExitCode == 0 || waited.Elapsed > within)
                {
                    result.ExitCode.Should().Be(0, $"getent ahosts {name} for {waited.Elapsed}; proxy log:\n{Proxy.Output}");
                    return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)[0]).Distinct().ToArray();
                }

                await Task.Delay(500);
            }
        }

        public int DnsmasqQueries(string name) =>
            (_dnsmasq.Stdout + _dnsmasq.Stderr).Split('\n').Count(l => l.Contains("query[", StringComparison.Ordinal) && l.Contains(" " + name, StringComparison.Ordinal));

        public long ProxyRssKb()
        {
            string status = File.ReadAllText($"/proc/{ProxyPid()}/status");
            string line = status.Split('\n').First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            Proxy.Dispose();
            _dnsmasq.Dispose();
            Topology.Dispose();
            NetnsResolvConf.Remove(_netnsEtc);
            _files.Dispose();
        }

        // The proxy runs under ip netns exec → env → setpriv: the capture-proxy process is the descendant named so.
        private int ProxyPid()
        {
            foreach (string pid in Descendants(Proxy.Process.Id).Prepend(Proxy.Process.Id.ToString(CultureInfo.InvariantCulture)))
            {
                if (File.Exists($"/proc/{pid}/comm") && File.ReadAllText($"/proc/{pid}/comm").Trim() == "capture-proxy")
                {
                    return int.Parse(pid, CultureInfo.InvariantCulture);
                }
            }

            throw new InvalidOperationException("no capture-proxy process under " + Proxy.Process.Id);
        }

        private static string Write(TemporaryDirectory directory, string name, string content)
        {
            string path = Path.Combine(directory.Path, name);
            File.WriteAllText(path, content);
            return path;
        }

        private static IEnumerable<string> Descendants(int pid)
        {
            ProcessResult children = ProcessRunner.Run("pgrep", ["-P", pid.ToString(CultureInfo.InvariantCulture)]);
            foreach (string child in children.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                yield return child;
                foreach (string grandchild in Descendants(int.Parse(child, CultureInfo.InvariantCulture)))
                {
                    yield return grandchild;
                }
            }
        }

        private static async Task WaitForDnsmasqAsync(PodTopology topology, BackgroundProcess dnsmasq)
        {
            Stopwatch waited = Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(10))
            {
                if (dnsmasq.HasExited)
                {
                    throw new InvalidOperationException("dnsmasq exited: " + dnsmasq.Stderr);
                }

                if (topology.Peer.Exec("ss", "-lnu").Stdout.Contains(":53 ", StringComparison.Ordinal))
                {
                    return;
                }

                await Task.Delay(100);
            }

            throw new TimeoutException("dnsmasq did not start listening: " + dnsmasq.Stderr);
        }

        private static void Chmod(string directory)
        {
            if (OperatingSystem.IsWindows())
            {
                return;
            }

            File.SetUnixFileMode(directory, (UnixFileMode)0x1ED); // 0755: UID 1337 reads the files
            foreach (string file in Directory.GetFiles(directory))
            {
                File.SetUnixFileMode(file, (UnixFileMode)0x1A4); // 0644
            }
        }
    }
}
