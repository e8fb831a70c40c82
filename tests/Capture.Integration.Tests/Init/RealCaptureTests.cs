using System.Net;
using System.Net.Sockets;
using Capture.Integration.Tests.Infrastructure;
using Capture.NativeShims;

namespace Capture.Integration.Tests.Init;

/// <summary>
/// Real traffic through rules applied by capture-init with the injector's default arguments, in a pod namespace wired
/// by veth to a peer: what is captured lands on the proxy ports with the right original destination, what must not be
/// captured (the proxy's own UID, excluded ports and CIDRs) reaches the real server. Every case runs against both
/// backends from the same table (iptables-restore payloads, and Istio's nft tables with --native-nftables), so the two
/// cannot drift apart.
/// </summary>
public sealed class RealCaptureTests
{
    private const int AppPort = 9080;
    private const int PeerPort = 8080;
    private const int ExcludedOutboundPort = 8081;
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(5);

    [RequiresRootTheory(Tools = ["iptables-nft", "ip6tables-nft", "nft"])]
    [MemberData(nameof(ModesFamiliesBackends))]
    public async Task DefaultIstioInitFlags_CaptureOutboundAndInbound_WithOriginalDestination(string mode, bool ipv6, string backend)
    {
        using PodTopology topology = PodTopology.Create("rc");
        (IPAddress pod, IPAddress peer) = Addresses(topology, ipv6);
        ApplyDefaultFlags(topology, mode, backend);
        using Socket outboundProxy = Listen(topology.Pod, pod.AddressFamily, 15001);
        using Socket inboundProxy = Listen(topology.Pod, pod.AddressFamily, 15006, transparent: mode == "TPROXY");

        using Socket client = topology.Pod.Run(() => new Socket(pod.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        Task<Socket> outboundAccept = outboundProxy.AcceptAsync();
        await client.ConnectAsync(new IPEndPoint(peer, PeerPort)).WaitAsync(s_wait);
        using Socket outbound = await outboundAccept.WaitAsync(s_wait);

        using Socket peerClient = topology.Peer.Run(() => new Socket(pod.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        Task<Socket> inboundAccept = inboundProxy.AcceptAsync();
        await peerClient.ConnectAsync(new IPEndPoint(pod, AppPort)).WaitAsync(s_wait);
        using Socket inbound = await inboundAccept.WaitAsync(s_wait);

        OriginalDestination.Get(outbound).Should().Be(new IPEndPoint(peer, PeerPort), "the outbound connection was redirected to 15001");
        // REDIRECT rewrites the destination (conntrack keeps the original); TPROXY leaves it, so it is the local address.
        IPEndPoint inboundDestination = mode == "TPROXY" ? (IPEndPoint)inbound.LocalEndPoint! : OriginalDestination.Get(inbound);
        inboundDestination.Should().Be(new IPEndPoint(pod, AppPort));
        ((IPEndPoint)inbound.RemoteEndPoint!).Address.Should().Be(peer);
    }

    [RequiresRootTheory(Tools = ["iptables-nft", "ip6tables-nft", "nft", "setpriv", "bash"])]
    [MemberData(nameof(ModesFamiliesBackends))]
    public async Task DefaultIstioInitFlags_ProxyUidAndExcludedInboundPort_AreNotCaptured(string mode, bool ipv6, string backend)
    {
        using PodTopology topology = PodTopology.Create("rc");
        (IPAddress pod, IPAddress peer) = Addresses(topology, ipv6);
        ApplyDefaultFlags(topology, mode, backend);
        using Socket outboundProxy = Listen(topology.Pod, pod.AddressFamily, 15001);
        using Socket inboundProxy = Listen(topology.Pod, pod.AddressFamily, 15006, transparent: mode == "TPROXY");
        using Socket peerServer = Listen(topology.Peer, pod.AddressFamily, PeerPort);
        using Socket prometheus = Listen(topology.Pod, pod.AddressFamily, 15090);

        Task<Socket> peerAccept = peerServer.AcceptAsync();
        ProcessResult asProxy = topology.Pod.Exec("setpriv", "--reuid=1337", "--regid=1337", "--clear-groups",
            "bash", "-c", $"exec 3<>/dev/tcp/{peer}/{PeerPort} && echo connected");
        using Socket reachedPeer = await peerAccept.WaitAsync(s_wait);

        using Socket peerClient = topology.Peer.Run(() => new Socket(pod.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        Task<Socket> prometheusAccept = prometheus.AcceptAsync();
        await peerClient.ConnectAsync(new IPEndPoint(pod, 15090)).WaitAsync(s_wait);
        using Socket scraped = await prometheusAccept.WaitAsync(s_wait);

        asProxy.ExitCode.Should().Be(0, asProxy.ToString());
        asProxy.Stdout.Should().Be("connected\n");
        ((IPEndPoint)reachedPeer.RemoteEndPoint!).Address.Should().Be(pod, "UID 1337 reached the real server, not the proxy");
        ((IPEndPoint)scraped.LocalEndPoint!).Port.Should().Be(15090, "-d 15090 is never captured inbound");
        OriginalDestination.Get(scraped).Should().Be(new IPEndPoint(pod, 15090), "conntrack saw no destination rewrite");
    }

    [RequiresRootTheory(Tools = ["iptables-nft", "ip6tables-nft", "nft"])]
    [InlineData(false, Iptables)]
    [InlineData(true, Iptables)]
    [InlineData(false, Nftables)]
    [InlineData(true, Nftables)]
    public async Task ExcludedOutboundPortAndCidr_ReachTheRealServer_WhileOtherTrafficIsCaptured(bool ipv6, string backend)
    {
        using PodTopology topology = PodTopology.Create("rc");
        (IPAddress pod, IPAddress peer) = Addresses(topology, ipv6);
        IPAddress excludedPeer = WithLastByte(peer, 3);
        string[] nodad = ipv6 ? ["nodad"] : [];
        topology.Peer.Ip(["addr", "add", $"{excludedPeer}/{(ipv6 ? 64 : 24)}", "dev", "eth0", .. nodad]).EnsureSuccess();
        string[] arguments = [.. CaptureInit.DefaultIstioInitArguments, "--ipv6", ipv6 ? "true" : "false",
            "-o", ExcludedOutboundPort.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        arguments[Array.IndexOf(arguments, "-x") + 1] = $"{excludedPeer}/{(ipv6 ? 128 : 32)}";
        CaptureInit.RunTargeting(topology.Pod, [.. arguments, .. BackendArguments(backend)]).EnsureSuccess();
        using Socket outboundProxy = Listen(topology.Pod, pod.AddressFamily, 15001);
        using Socket peerServer = Listen(topology.Peer, pod.AddressFamily, PeerPort);
        using Socket peerExcludedPortServer = Listen(topology.Peer, pod.AddressFamily, ExcludedOutboundPort);

        using Socket toExcludedPort = await DialFromPod(topology, new IPEndPoint(peer, ExcludedOutboundPort));
        using Socket atExcludedPort = await peerExcludedPortServer.AcceptAsync().WaitAsync(s_wait);
        using Socket toExcludedCidr = await DialFromPod(topology, new IPEndPoint(excludedPeer, PeerPort));
        using Socket atExcludedCidr = await peerServer.AcceptAsync().WaitAsync(s_wait);
        using Socket toCaptured = await DialFromPod(topology, new IPEndPoint(peer, PeerPort));
        using Socket atProxy = await outboundProxy.AcceptAsync().WaitAsync(s_wait);

        ((IPEndPoint)atExcludedPort.LocalEndPoint!).Should().Be(new IPEndPoint(peer, ExcludedOutboundPort));
        ((IPEndPoint)atExcludedCidr.LocalEndPoint!).Should().Be(new IPEndPoint(excludedPeer, PeerPort));
        OriginalDestination.Get(atProxy).Should().Be(new IPEndPoint(peer, PeerPort), "the same pod's other traffic is still captured");
    }

    [RequiresRootTheory(Tools = ["iptables-nft", "ip6tables-nft", "nft"])]
    [InlineData(false, Iptables)]
    [InlineData(true, Iptables)]
    [InlineData(false, Nftables)]
    [InlineData(true, Nftables)]
    public async Task RedirectDns_QueryToTheResolvConfServer_ReachesTheAgentOn15053(bool ipv6, string backend)
    {
        using PodTopology topology = PodTopology.Create("rc");
        using TemporaryDirectory directory = TemporaryDirectory.Create();
        (IPAddress pod, IPAddress peer) = Addresses(topology, ipv6);
        string resolvConf = Path.Combine(directory.Path, "resolv.conf");
        File.WriteAllText(resolvConf, $"nameserver {peer}\n");
        CaptureInit.RunTargeting(topology.Pod,
            [.. CaptureInit.DefaultIstioInitArguments, "--ipv6", "true", "--redirect-dns", "--resolv-conf", resolvConf, .. BackendArguments(backend)]).EnsureSuccess();
        using Socket agent = topology.Pod.Run(() =>
        {
            Socket socket = new(pod.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(ipv6 ? IPAddress.IPv6Any : IPAddress.Any, 15053));
            return socket;
        });
        using Socket application = topology.Pod.Run(() => new Socket(pod.AddressFamily, SocketType.Dgram, ProtocolType.Udp));

        byte[] query = "capture-dns-query"u8.ToArray();
        await application.SendToAsync(query, new IPEndPoint(peer, 53)).WaitAsync(s_wait);
        byte[] received = new byte[64];
        SocketReceiveFromResult got = await agent.ReceiveFromAsync(received, new IPEndPoint(ipv6 ? IPAddress.IPv6Any : IPAddress.Any, 0)).WaitAsync(s_wait);

        received[..got.ReceivedBytes].Should().Equal(query, "UDP DNS to the resolv.conf server is redirected to the agent on 15053");
    }

    /// <summary>The backends every case runs against.</summary>
    private const string Iptables = "iptables";

    private const string Nftables = "nftables";

    public static TheoryData<string, bool, string> ModesFamiliesBackends()
    {
        TheoryData<string, bool, string> data = [];
        foreach (string backend in new[] { Iptables, Nftables })
        {
            foreach (string mode in new[] { "REDIRECT", "TPROXY" })
            {
                data.Add(mode, false, backend);
                data.Add(mode, true, backend);
            }
        }

        return data;
    }

    private static string[] BackendArguments(string backend) => backend == Nftables ? ["--native-nftables"] : [];

    private static void ApplyDefaultFlags(PodTopology topology, string mode, string backend)
    {
        // IPv6 on in every case, so both families carry rules whichever one the test dials.
        string[] arguments = [.. CaptureInit.DefaultIstioInitArguments, "--ipv6", "true", .. BackendArguments(backend)];
        arguments[Array.IndexOf(arguments, "-m") + 1] = mode;
        ProcessResult applied = CaptureInit.RunTargeting(topology.Pod, arguments);
        applied.ExitCode.Should().Be(0, applied.ToString());
    }

    private static (IPAddress Pod, IPAddress Peer) Addresses(PodTopology topology, bool ipv6)
        => ipv6 ? (topology.PodIPv6, topology.PeerIPv6) : (topology.PodIPv4, topology.PeerIPv4);

    private static IPAddress WithLastByte(IPAddress address, byte last)
    {
        byte[] bytes = address.GetAddressBytes();
        bytes[^1] = last;
        return new IPAddress(bytes);
    }

    private static async Task<Socket> DialFromPod(PodTopology topology, IPEndPoint target)
    {
        Socket socket = topology.Pod.Run(() => new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        await socket.ConnectAsync(target).WaitAsync(s_wait);
        return socket;
    }

    /// <summary>A listener on the wildcard address of <paramref name="family"/>, created inside <paramref name="ns"/>.</summary>
    private static Socket Listen(TestNamespace ns, AddressFamily family, int port, bool transparent = false) => ns.Run(() =>
    {
        Socket socket = new(family, SocketType.Stream, ProtocolType.Tcp);
        if (family == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = false;
        }

        if (transparent)
        {
            // IP_TRANSPARENT (19, SOL_IP) / IPV6_TRANSPARENT (75, SOL_IPV6): TPROXY only delivers to such sockets.
            (int level, int name) = family == AddressFamily.InterNetworkV6 ? (41, 75) : (0, 19);
            socket.SetRawSocketOption(level, name, BitConverter.GetBytes(1));
        }

        socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, port));
        socket.Listen();
        return socket;
    });
}
