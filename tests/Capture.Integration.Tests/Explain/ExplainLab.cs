using System.Globalization;
using System.Net;
using Capture.Init.Explain;
using Capture.Init.Iptables;
using Capture.Init.Nftables;
using Capture.Init.Rules;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Explain;

/// <summary>
/// One pod/peer topology for one configuration: a second veth pair (eth1, for -c/-k), extra peer addresses standing
/// for excluded/included CIDRs and DNS servers, token listeners on both sides, and the plan loaded with
/// iptables-restore. Sends shapes for real and turns what the listeners saw into an outcome comparable with explain's.
/// </summary>
internal sealed class ExplainLab : IDisposable
{
    /// <summary>Ports served inside the pod: capture ports (default and custom) and application ports.</summary>
    private static readonly int[] s_podPorts = [15001, 15006, 15053, 15011, 15016, 9080, 8080, 15090, 15008, 15010, 15021];
    private static readonly int[] s_peerTcpPorts = [80, 53, 9090, 3306, 8080];
    private static readonly int[] s_peerUdpPorts = [53, 9090];

    private readonly PodTopology _topology;
    private readonly TokenListeners _listeners = new();

    private ExplainLab(PodTopology topology, byte subnet)
    {
        _topology = topology;
        Pod2V4 = IPAddress.Parse($"172.16.{subnet}.1");
        Peer2V4 = IPAddress.Parse($"172.16.{subnet}.2");
    }

    public IPAddress Pod2V4 { get; }

    public IPAddress Peer2V4 { get; }

    public TestNamespace Pod => _topology.Pod;

    public static ExplainLab Create(string prefix)
    {
        PodTopology topology = PodTopology.Create(prefix);
        byte subnet = (byte)Random.Shared.Next(1, 255);
        var lab = new ExplainLab(topology, subnet);
        try
        {
            lab.Wire();
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _listeners.Dispose();
        _topology.Dispose();
    }

    private void Wire()
    {
        TestNamespace pod = _topology.Pod;
        TestNamespace peer = _topology.Peer;
        pod.Ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1", "netns", peer.Name).EnsureSuccess();
        string podBatch = string.Join('\n', $"addr add {Pod2V4}/24 dev eth1", "link set eth1 up");
        ProcessRunner.Run("ip", ["-n", pod.Name, "-batch", "-"], podBatch).EnsureSuccess();

        // The "remote" addresses live on the peer's lo: the pod reaches them through its default route.
        string peerBatch = string.Join('\n',
            $"addr add {Peer2V4}/24 dev eth1",
            "link set eth1 up",
            $"addr add {Address(ShapeTarget.ExcludedV4)}/32 dev lo",
            $"addr add {Address(ShapeTarget.IncludedV4)}/32 dev lo",
            $"addr add {Address(ShapeTarget.DnsV4)}/32 dev lo",
            $"addr add {Address(ShapeTarget.OtherDnsV4)}/32 dev lo",
            $"addr add {Address(ShapeTarget.DnsV6)}/128 dev lo");
        ProcessRunner.Run("ip", ["-n", peer.Name, "-batch", "-"], peerBatch).EnsureSuccess();

        foreach (int port in s_podPorts)
        {
            _listeners.ListenTcp(pod, "pod", port, transparent: true);
        }

        _listeners.ListenUdp(pod, "pod", 15053, transparent: true);
        foreach (int port in s_peerTcpPorts)
        {
            _listeners.ListenTcp(peer, "peer", port, transparent: false);
        }

        foreach (int port in s_peerUdpPorts)
        {
            _listeners.ListenUdp(peer, "peer", port, transparent: false);
        }
    }

    /// <summary>Loads the plan into the pod with iptables-restore/ip6tables-restore --noflush, then its ip commands.</summary>
    public void Apply(RuleSet plan)
    {
        Pod.ExecWithInput(IptablesRestoreRenderer.Render(plan.Rules(IpFamily.V4)), "iptables-restore", "--noflush").EnsureSuccess();
        if (plan.Ipv6Enabled)
        {
            Pod.ExecWithInput(IptablesRestoreRenderer.Render(plan.Rules(IpFamily.V6)), "ip6tables-restore", "--noflush").EnsureSuccess();
        }

        foreach (RouteCommand route in plan.RouteCommands)
        {
            Pod.Ip([.. route.Arguments]).EnsureSuccess();
        }
    }

    /// <summary>Loads the nft plan into the pod with one <c>nft -f -</c>, then the routing of <paramref name="routes"/> (the same for both backends).</summary>
    public void ApplyNft(NftPlan plan, RuleSet routes)
    {
        Pod.ExecWithInput(NftTransactionRenderer.Render(plan), "nft", "-f", "-").EnsureSuccess();
        foreach (RouteCommand route in routes.RouteCommands)
        {
            Pod.Ip([.. route.Arguments]).EnsureSuccess();
        }
    }

    /// <summary>Istio's nft tables in the pod, read back with <c>nft -j list ruleset</c> and parsed (what explain --live reads).</summary>
    public NftState LiveNft() => NftJsonParser.Parse(Pod.Exec("nft", "-j", "list", "ruleset").EnsureSuccess().Stdout).State;

    /// <summary>The live rules of the pod, read back with iptables-save and parsed.</summary>
    public IptablesState Live(IpFamily family) =>
        IptablesSaveParser.Parse(Pod.Exec(family == IpFamily.V4 ? "iptables-save" : "ip6tables-save").EnsureSuccess().Stdout);

    public IPAddress Address(ShapeTarget target) => target switch
    {
        ShapeTarget.PeerV4 => _topology.PeerIPv4,
        ShapeTarget.PeerV6 => _topology.PeerIPv6,
        ShapeTarget.ExcludedV4 => IPAddress.Parse("198.51.100.10"),
        ShapeTarget.IncludedV4 => IPAddress.Parse("203.0.113.10"),
        ShapeTarget.DnsV4 => ExplainConfiguration.DnsV4,
        ShapeTarget.OtherDnsV4 => IPAddress.Parse("198.51.100.53"),
        ShapeTarget.DnsV6 => ExplainConfiguration.DnsV6,
        ShapeTarget.PodV4 => _topology.PodIPv4,
        ShapeTarget.PodV6 => _topology.PodIPv6,
        ShapeTarget.Pod2V4 => Pod2V4,
        ShapeTarget.Peer2V4 => Peer2V4,
        ShapeTarget.LoopbackV4 => IPAddress.Loopback,
        _ => IPAddress.IPv6Loopback,
    };

    /// <summary>The connection as explain sees it: the interfaces and source address the kernel's routing gives it here.</summary>
    public Connection Describe(ConnectionShape shape)
    {
        IPAddress destination = Address(shape.Target);
        bool v6 = destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        TransportProtocol protocol = shape.Udp ? TransportProtocol.Udp : TransportProtocol.Tcp;
        if (shape.Inbound)
        {
            bool secondLink = shape.Target == ShapeTarget.Pod2V4;
            return new Connection
            {
                Direction = ConnectionDirection.Inbound,
                Protocol = protocol,
                Source = secondLink ? Peer2V4 : v6 ? _topology.PeerIPv6 : _topology.PeerIPv4,
                Destination = destination,
                DestinationPort = shape.Port,
                InInterface = secondLink ? "eth1" : "eth0",
            };
        }

        (string outInterface, IPAddress source) = shape.Target switch
        {
            ShapeTarget.LoopbackV4 or ShapeTarget.LoopbackV6 => ("lo", destination),
            ShapeTarget.PodV4 or ShapeTarget.PodV6 => ("lo", destination),
            ShapeTarget.Peer2V4 => ("eth1", Pod2V4),
            _ => ("eth0", v6 ? _topology.PodIPv6 : _topology.PodIPv4),
        };
        return new Connection
        {
            Direction = ConnectionDirection.Outbound,
            Protocol = protocol,
            Source = source,
            Destination = destination,
            DestinationPort = shape.Port,
            Uid = shape.Uid,
            Gid = shape.Gid,
            OutInterface = outInterface,
        };
    }

    /// <summary>
    /// Sends the shape for real: bash's /dev/tcp or /dev/udp writes the token, as the shape's UID/GID (setpriv sets
    /// real and effective ids, and with them the fsuid/fsgid that -m owner compares; --clear-groups drops root's groups).
    /// </summary>
    public ProcessResult Send(ConnectionShape shape, string token)
    {
        TestNamespace from = shape.Inbound ? _topology.Peer : _topology.Pod;
        string address = Address(shape.Target).ToString();
        return ProcessRunner.Run("ip",
        [
            "netns", "exec", from.Name,
            "setpriv", "--reuid", shape.Uid.ToString(CultureInfo.InvariantCulture), "--regid", shape.Gid.ToString(CultureInfo.InvariantCulture), "--clear-groups",
            "timeout", "3", "bash", "-c", "printf %s \"$1\" > \"/dev/$0/$2/$3\"",
            shape.Udp ? "udp" : "tcp", token, address, shape.Port.ToString(CultureInfo.InvariantCulture),
        ]);
    }

    public bool HasSeen(string token) => _listeners.HasSeen(token);

    public IReadOnlyCollection<Observation> Seen(string token) => _listeners.Seen(token);
}
