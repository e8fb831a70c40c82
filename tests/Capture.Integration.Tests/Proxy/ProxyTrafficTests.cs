using System.Globalization;
using System.Net;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Proxy;

/// <summary>
/// The capture path end to end: capture-init's rules in a pod namespace, capture-proxy as UID 1337, traffic both ways
/// to and from a peer namespace over IPv4 and IPv6, checked on the wire, in the metrics and in the access log.
/// </summary>
public sealed class ProxyTrafficTests
{
    [RequiresRootFact(Tools = ["setpriv"])]
    public async Task Outbound_PodClientToPeerServer_GoesThroughTheProxy_IPv4AndIPv6()
    {
        using CaptureScenario scenario = await CaptureScenario.StartAsync();
        List<(TestServer Server, string Reply)> results = [];

        foreach (bool ipv6 in new[] { false, true })
        {
            TestServer server = new(scenario.Peer, scenario.PeerAddress(ipv6), TestServer.EchoAsync);
            results.Add((server, await scenario.WithProxyOutputOnFailureAsync(
                () => Clients.EchoAsync(scenario.Pod, server.EndPoint, $"hello over {(ipv6 ? "IPv6" : "IPv4")}"))));
        }

        string metrics = await WaitForMetricAsync(scenario.Proxy, "capture_connections_closed_total", 2, "direction=\"outbound\"", "end=\"completed\"");
        try
        {
            results[0].Reply.Should().Be("hello over IPv4");
            results[1].Reply.Should().Be("hello over IPv6");
            results[0].Server.Clients.Should().ContainSingle().Which.Address.Should().Be(scenario.Topology.PodIPv4);
            results[1].Server.Clients.Should().ContainSingle().Which.Address.Should().Be(scenario.Topology.PodIPv6);
            ProxyProcess.Metric(metrics, "capture_connections_accepted_total", "direction=\"outbound\"").Should().Be(2);
            ProxyProcess.Metric(metrics, "capture_bytes_total", "direction=\"outbound\"", "way=\"upstream\"").Should().Be(30);
            ProxyProcess.Metric(metrics, "capture_bytes_total", "direction=\"outbound\"", "way=\"downstream\"").Should().Be(30);
            (await scenario.Proxy.WaitForOutputAsync($"-> {results[0].Server.EndPoint} up=15 down=15", $"-> {results[1].Server.EndPoint} up=15 down=15"))
                .Should().Contain($"-> {results[0].Server.EndPoint} up=15 down=15")
                .And.Contain($"-> {results[1].Server.EndPoint} up=15 down=15");
            ProcessUid(scenario.Proxy.Process.Id).Should().Be(ProxyProcess.ProxyUid);
        }
        finally
        {
            results.ForEach(r => r.Server.Dispose());
        }
    }

    [RequiresRootFact(Tools = ["setpriv"])]
    public async Task Inbound_Redirect_PeerClientReachesPodServerFromThePassthroughAddress_IPv4AndIPv6()
    {
        using CaptureScenario scenario = await CaptureScenario.StartAsync("REDIRECT");

        foreach (bool ipv6 in new[] { false, true })
        {
            using TestServer server = new(scenario.Pod, ipv6 ? IPAddress.IPv6Any : IPAddress.Any, TestServer.EchoAsync);
            IPEndPoint target = new(scenario.PodAddress(ipv6), server.EndPoint.Port);

            string reply = await scenario.WithProxyOutputOnFailureAsync(() => Clients.EchoAsync(scenario.Peer, target, "inbound"));

            reply.Should().Be("inbound");
            server.Clients.Should().ContainSingle().Which.Address.Should().Be(IPAddress.Parse(ipv6 ? "::6" : "127.0.0.6"),
                "REDIRECT-mode inbound upstreams come from the passthrough address the rules exempt");
        }

        string metrics = await WaitForMetricAsync(scenario.Proxy, "capture_connections_closed_total", 2, "direction=\"inbound\"", "end=\"completed\"");
        ProxyProcess.Metric(metrics, "capture_connections_accepted_total", "direction=\"inbound\"").Should().Be(2);
        scenario.Proxy.Output.Should().Contain("inbound ").And.Contain($"{scenario.Topology.PeerIPv4}:");
    }

    [RequiresRootFact(Tools = ["setpriv"])]
    public async Task Inbound_Tproxy_PeerClientReachesPodServerWithItsOwnAddress_IPv4AndIPv6()
    {
        using CaptureScenario scenario = await CaptureScenario.StartAsync("TPROXY");
        List<IPEndPoint> targets = [];

        foreach (bool ipv6 in new[] { false, true })
        {
            using TestServer server = new(scenario.Pod, ipv6 ? IPAddress.IPv6Any : IPAddress.Any, TestServer.EchoAsync);
            IPEndPoint target = new(scenario.PodAddress(ipv6), server.EndPoint.Port);

            string reply = await scenario.WithProxyOutputOnFailureAsync(() => Clients.EchoAsync(scenario.Peer, target, "tproxy"));

            reply.Should().Be("tproxy");
            server.Clients.Should().ContainSingle().Which.Address.Should().Be(ipv6 ? scenario.Topology.PeerIPv6 : scenario.Topology.PeerIPv4,
                "TPROXY keeps the client's own address all the way to the app");
            targets.Add(target);
        }

        // The access-log line is written when a connection closes: wait for both before reading the log.
        string metrics = await WaitForMetricAsync(scenario.Proxy, "capture_connections_closed_total", 2, "direction=\"inbound\"", "end=\"completed\"");
        string output = await scenario.Proxy.WaitForOutputAsync($"-> {targets[0]} ", $"-> {targets[1]} ");
        output.Should().Contain($"-> {targets[0]} ").And.Contain($"-> {targets[1]} ",
            "the transparent listener reads the original destination from its local address");
        ProxyProcess.Metric(metrics, "capture_connections_accepted_total", "direction=\"inbound\"").Should().Be(2,
            "the proxy's transparent upstream to the app must not be captured again");
    }

    internal static async Task<string> WaitForMetricAsync(ProxyProcess proxy, string name, long atLeast, params string[] labels)
    {
        long started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            string text = await proxy.ScrapeAsync();
            if (ProxyProcess.Metric(text, name, labels) >= atLeast || TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(10))
            {
                return text;
            }

            await Task.Delay(50);
        }
    }

    private static int ProcessUid(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1], CultureInfo.InvariantCulture);
}
