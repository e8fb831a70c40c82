using System.Net;
using System.Net.Sockets;
using Capture.Integration.Tests.Infrastructure;
using Capture.Integration.Tests.Proxy;

namespace Capture.Integration.Tests.Hbone;

/// <summary>
/// Two "pods", A and B, in fresh network namespaces joined by a veth pair, each with capture-init's rules (the
/// injector's default istio-init flags) and the published capture-proxy as UID 1337 with credentials for its service
/// account (<c>spiffe://cluster.local/ns/default/sa/a</c> and <c>…/sa/b</c>, minted by scripts/hbone-certs.sh) and one
/// workloads file naming both pods and a service <c>b</c> with a VIP whose port 80 maps to B's app. B's app is a
/// <see cref="TestServer"/> on B's address. <see cref="PodFamilies"/> picks IPv4, IPv6 or dual-stack pods: the
/// workload IPs and the VIPs in the file follow it, and a dual-stack B's app listens on both of B's addresses (one port).
/// Disposed in reverse, namespaces last, even when a test fails.
/// </summary>
internal sealed class HbonePods : IDisposable
{
    public const int VipPort = 80;

    public static readonly IPAddress Vip = IPAddress.Parse("10.96.0.10");

    /// <summary>The service's IPv6 VIP (IPv6 and dual-stack pods), outside both pods' /64: reached by A's default route.</summary>
    public static readonly IPAddress Vip6 = IPAddress.Parse("fd00:96::10");

    private HbonePods(PodFamilies families, PodTopology topology, MeshCertificates certificates, TestServer appB)
    {
        Families = families;
        Topology = topology;
        Certificates = certificates;
        AppB = appB;
        WorkloadsPath = Path.Combine(certificates.Root, "workloads.yaml");
    }

    public PodTopology Topology { get; }

    public MeshCertificates Certificates { get; }

    /// <summary>Pod A: the client side (its app dials B; its proxy's 15001 opens the tunnel).</summary>
    public TestNamespace A => Topology.Pod;

    /// <summary>Pod B: the server side (its proxy's 15008 ends the tunnel and connects to B's app).</summary>
    public TestNamespace B => Topology.Peer;

    public PodFamilies Families { get; }

    /// <summary>A's first address: IPv6 for IPv6 pods, else IPv4.</summary>
    public IPAddress AddressA => Families == PodFamilies.IPv6 ? Topology.PodIPv6 : Topology.PodIPv4;

    /// <summary>B's first address: IPv6 for IPv6 pods, else IPv4.</summary>
    public IPAddress AddressB => Families == PodFamilies.IPv6 ? Topology.PeerIPv6 : Topology.PeerIPv4;

    public IPAddress AddressA6 => Topology.PodIPv6;

    public IPAddress AddressB6 => Topology.PeerIPv6;

    /// <summary>B's app, on <see cref="AddressB"/>.</summary>
    public TestServer AppB { get; }

    /// <summary>Dual-stack only: B's app on B's IPv6 address, same port and handler as <see cref="AppB"/>.</summary>
    public TestServer? AppB6 { get; private set; }

    /// <summary>B's app by pod IP.</summary>
    public IPEndPoint AppBEndPoint => new(AddressB, AppB.EndPoint.Port);

    /// <summary>B's app by B's IPv6 pod IP (IPv6 and dual-stack pods).</summary>
    public IPEndPoint AppBEndPoint6 => new(AddressB6, AppB.EndPoint.Port);

    /// <summary>B's app through the service VIP.</summary>
    public static IPEndPoint VipEndPoint => new(Vip, VipPort);

    /// <summary>B's app through the service's IPv6 VIP.</summary>
    public static IPEndPoint Vip6EndPoint => new(Vip6, VipPort);

    public string WorkloadsPath { get; }

    public ProxyProcess ProxyA { get; private set; } = null!;

    /// <summary>/etc/netns/&lt;A&gt;: ip netns exec bind-mounts its resolv.conf over /etc/resolv.conf in A; null without DNS.</summary>
    public string? NetnsEtcA { get; private set; }

    /// <summary>B's proxy; null when the test puts another HBONE server (Node) on B's 15008.</summary>
    public ProxyProcess? ProxyB { get; private set; }

    /// <summary>
    /// Starts both pods. <paramref name="appB"/> handles each connection to B's app (echo by default);
    /// <paramref name="protocolB"/> is B's protocol in the workloads file; <paramref name="credentialsB"/> names the
    /// service account B's proxy gets certificates for (another one than "b" makes a server A must refuse);
    /// <paramref name="startProxyB"/> false leaves B without a proxy (its rules stay); <paramref name="redirectDnsA"/>
    /// applies A with <c>--redirect-dns</c> and gives A a resolv.conf (search list of namespace default, nameserver
    /// B's address, where the test runs its DNS server) that capture-init, A's proxy and what runs in A read.
    /// <paramref name="mode"/> "TPROXY" applies both pods with <c>-m TPROXY</c> and runs both proxies in TPROXY mode
    /// as the injector runs such a sidecar (UID 0, GID 1337, CAP_NET_ADMIN). <paramref name="nftables"/> applies both pods'
    /// rules with <c>--native-nftables</c> (Istio's nftables mode) instead of iptables.
    /// </summary>
    public static async Task<HbonePods> StartAsync(
        Func<Socket, CancellationToken, Task>? appB = null, string protocolB = "HBONE", string credentialsB = "b", bool startProxyB = true,
        bool redirectDnsA = false, PodFamilies families = PodFamilies.IPv4, string mode = "REDIRECT",
        bool nftables = false)
    {
        MeshCertificates certificates = MeshCertificates.Create("a");
        PodTopology? topology = null;
        TestServer? app = null;
        HbonePods? pods = null;
        try
        {
            if (credentialsB != "a")
            {
                certificates.Issue("default." + credentialsB, credentialsB);
            }

            topology = PodTopology.Create("hb", ipv4: families != PodFamilies.IPv6);
            app = new TestServer(topology.Peer, families == PodFamilies.IPv6 ? topology.PeerIPv6 : topology.PeerIPv4, appB ?? TestServer.EchoAsync);
            pods = new HbonePods(families, topology, certificates, app);
            if (families == PodFamilies.DualStack)
            {
                pods.AppB6 = new TestServer(topology.Peer, topology.PeerIPv6, appB ?? TestServer.EchoAsync, app.EndPoint.Port);
            }

            pods.WriteWorkloads(protocolB);
            // IPv6-only pods need nothing: --ipv6 auto finds IPv6 first. Dual-stack pods get what the injector adds
            // when ISTIO_DUAL_STACK is on.
            string[] init = families == PodFamilies.DualStack ? [.. CaptureInit.DefaultIstioInitArguments, "--dual-stack"] : [.. CaptureInit.DefaultIstioInitArguments];
            if (nftables)
            {
                init = [.. init, "--native-nftables"];
            }

            bool tproxy = mode == "TPROXY";
            if (tproxy)
            {
                init = [.. init.Select(a => a == "REDIRECT" ? "TPROXY" : a)];
            }

            string[] initA = [.. init];
            string[] proxyA = Moded(pods.ProxyArguments("default.a"), tproxy);
            if (redirectDnsA)
            {
                string resolv = pods.WriteResolvConfA();
                initA = [.. initA, "--redirect-dns", "--resolv-conf", resolv];
                proxyA = [.. proxyA, "--resolv-conf", resolv];
            }

            CaptureInit.RunIn(pods.A, initA).EnsureSuccess();
            CaptureInit.RunIn(pods.B, init).EnsureSuccess();
            pods.ProxyA = await ProxyProcess.StartAsync(pods.A, proxyA, netAdmin: tproxy);
            if (startProxyB)
            {
                // B's proxy runs with no HOME, as a runtime that sets none would start it: certificate chains must
                // still build (.NET's X509Chain looks for a per-user store under HOME).
                pods.ProxyB = await ProxyProcess.StartAsync(pods.B, Moded(pods.ProxyArguments("default." + credentialsB), tproxy), netAdmin: tproxy, withHome: false);
            }

            return pods;
        }
        catch
        {
            if (pods is not null)
            {
                pods.Dispose();
            }
            else
            {
                app?.Dispose();
                topology?.Dispose();
                certificates.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Writes the workloads file anew (renamed into place, as a ConfigMap update swaps it) with B's protocol and
    /// <paramref name="policies"/> (YAML appended as is: a <c>policies:</c> section, or nothing).
    /// </summary>
    public void WriteWorkloads(string protocolB, string policies = "")
    {
        string yaml = $"""
            workloads:
            - uid: test//v1/Pod/default/a
              name: a
              namespace: default
              serviceAccount: a
              workloadIps: [{WorkloadIps(Topology.PodIPv4, Topology.PodIPv6)}]
              protocol: HBONE
            - uid: test//v1/Pod/default/b
              name: b
              namespace: default
              serviceAccount: b
              workloadIps: [{WorkloadIps(Topology.PeerIPv4, Topology.PeerIPv6)}]
              protocol: {protocolB}
              services:
                "default/b.default.svc.cluster.local":
                  {VipPort}: {AppB.EndPoint.Port}
            services:
            - name: b
              namespace: default
              hostname: b.default.svc.cluster.local
              vips: [{Vips()}]
              ports:
                {VipPort}: {AppB.EndPoint.Port}
            """ + policies;
        string temporary = WorkloadsPath + ".tmp";
        File.WriteAllText(temporary, yaml);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, (UnixFileMode)0x1A4); // 0644
        }

        File.Move(temporary, WorkloadsPath, overwrite: true);
    }

    /// <summary>Waits until <paramref name="proxy"/>'s output contains <paramref name="text"/> (at least <paramref name="count"/> times).</summary>
    public static async Task<string> WaitForOutputAsync(ProxyProcess proxy, string text, int count = 1, TimeSpan? timeout = null)
    {
        long started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            string output = proxy.Output;
            if (Occurrences(output, text) >= count)
            {
                return output;
            }

            if (TimeProvider.System.GetElapsedTime(started) > (timeout ?? TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException($"'{text}' not seen {count} time(s) in capture-proxy's output:\n{output}\nstderr:\n{proxy.Process.Stderr}");
            }

            await Task.Delay(25);
        }
    }

    public static int Occurrences(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// A's app sends <paramref name="message"/> to <paramref name="destination"/> and reads the echo; a failure names
    /// the destination and carries both proxies' logs.
    /// </summary>
    public async Task<string> EchoFromAAsync(IPEndPoint destination, string message)
    {
        try
        {
            return await Clients.EchoAsync(A, destination, message);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            throw new InvalidOperationException($"{destination}: {ex.Message}\n{Logs()}", ex);
        }
    }

    /// <summary>Both proxies' output, for failure messages.</summary>
    public string Logs() =>
        $"proxy A:\n{ProxyA?.Output}\n{ProxyA?.Process.Stderr}\nproxy B:\n{ProxyB?.Output}\n{ProxyB?.Process.Stderr}";

    public void Dispose()
    {
        ProxyB?.Dispose();
        ProxyA?.Dispose();
        AppB6?.Dispose();
        AppB.Dispose();
        Topology.Dispose();
        Certificates.Dispose();
        if (NetnsEtcA is not null)
        {
            NetnsResolvConf.Remove(NetnsEtcA);
        }
    }

    private string WriteResolvConfA()
    {
        string content = $"search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver {AddressB}\noptions timeout:2 attempts:1\n";
        string path = Path.Combine(Certificates.Root, "resolv.conf");
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0x1A4); // 0644
        }

        NetnsEtcA = NetnsResolvConf.Write(A, content);
        return path;
    }

    /// <summary>The quoted addresses a pod's workload entry lists for <see cref="Families"/>.</summary>
    private string WorkloadIps(IPAddress ipv4, IPAddress ipv6) => Families switch
    {
        PodFamilies.IPv6 => $"\"{ipv6}\"",
        PodFamilies.DualStack => $"\"{ipv4}\", \"{ipv6}\"",
        _ => $"\"{ipv4}\"",
    };

    /// <summary>The service's VIPs in ztunnel's <c>network/address</c> form (empty network) for <see cref="Families"/>.</summary>
    private string Vips() => Families switch
    {
        PodFamilies.IPv6 => $"\"/{Vip6}\"",
        PodFamilies.DualStack => $"\"/{Vip}\", \"/{Vip6}\"",
        _ => $"\"/{Vip}\"",
    };

    private static string[] Moded(string[] arguments, bool tproxy) => tproxy ? [.. arguments, "--mode", "TPROXY"] : arguments;

    private string[] ProxyArguments(string credentials) =>
        ["--workers", "1", "--workloads", WorkloadsPath, "--certs", Certificates.Directory(credentials)];
}
