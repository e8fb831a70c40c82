using System.Net;
using System.Net.Sockets;

namespace Capture.Integration.Tests.Infrastructure;

public sealed class TestNamespaceTests
{
    [RequiresRootFact]
    public void Create_ThenDispose_NamespaceExistsWithLoopbackUpThenIsGone()
    {
        TestNamespace ns = TestNamespace.Create("infra");
        string name = ns.Name;
        string loopback;
        bool listed;
        try
        {
            loopback = ns.Ip("-o", "link", "show", "lo").EnsureSuccess().Stdout;
            listed = File.Exists(ns.Path);
        }
        finally
        {
            ns.Dispose();
        }

        name.Should().MatchRegex("^cap-infra-[0-9a-f]{8}$");
        listed.Should().BeTrue();
        loopback.Should().Contain("UP");
        File.Exists("/var/run/netns/" + name).Should().BeFalse();
        ProcessRunner.Run("ip", ["netns", "list"]).Stdout.Should().NotContain(name);
    }

    [RequiresRootFact(Tools = ["sleep"])]
    public void Dispose_WithProcessesLeftInside_KillsThem()
    {
        TestNamespace ns = TestNamespace.Create("infra");
        BackgroundProcess started = ns.StartProcess("sleep", "600");
        // A process the test did not start through the namespace object: found by `ip netns pids`.
        string orphanPid = ns.Shell("sleep 600 </dev/null >/dev/null 2>&1 & echo $!").EnsureSuccess().Stdout.Trim();
        int orphan = int.Parse(orphanPid, System.Globalization.CultureInfo.InvariantCulture);

        ns.Dispose();

        started.HasExited.Should().BeTrue();
        File.Exists($"/proc/{orphan}/stat").Should().BeFalse("the namespace's leftover process was killed");
    }

    [RequiresRootFact]
    public void Exec_ReportsExitCodeAndOutput()
    {
        using TestNamespace ns = TestNamespace.Create("infra");

        ProcessResult result = ns.Shell("echo out; echo err >&2; exit 3");

        result.ExitCode.Should().Be(3);
        result.Stdout.Should().Be("out\n");
        result.Stderr.Should().Be("err\n");
    }

    [RequiresRootTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PodTopology_Create_PodReachesPeerOverTheVeth(bool ipv6)
    {
        using PodTopology topology = PodTopology.Create("infra");
        IPAddress peerAddress = ipv6 ? topology.PeerIPv6 : topology.PeerIPv4;
        using Socket listener = topology.Peer.Run(() =>
        {
            Socket socket = new(peerAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(peerAddress, 0));
            socket.Listen();
            return socket;
        });
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using Socket client = topology.Pod.Run(() => new Socket(peerAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp));

        await client.ConnectAsync(new IPEndPoint(peerAddress, port)).WaitAsync(TimeSpan.FromSeconds(5));
        using Socket accepted = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(5));

        ((IPEndPoint)accepted.RemoteEndPoint!).Address.Should().Be(ipv6 ? topology.PodIPv6 : topology.PodIPv4);
        topology.Pod.Name.Should().StartWith("cap-infrapod-");
        topology.Peer.Name.Should().StartWith("cap-infrapeer-");
    }
}
