using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Capture.Integration.Tests.Infrastructure;
using Capture.Integration.Tests.Proxy;

namespace Capture.Integration.Tests.Hbone;

/// <summary>
/// HBONE between IPv6-only and dual-stack pods, as Istio runs them: the workloads file lists IPv6 workload IPs and
/// VIPs, the CONNECT authority is <c>[addr]:port</c>, the tunnel goes to <c>[pod ip]:15008</c>, B's proxy connects to
/// its app from ::6, and the access logs write every IPv6 endpoint bracketed in RFC 5952 form.
/// </summary>
public sealed partial class HboneIpv6Tests
{
    [RequiresRootFact(Tools = ["setpriv", "openssl"])]
    public async Task Ipv6_PodIpAndServiceVip_ReachBsAppThroughTheTunnel_FromColonColon6()
    {
        using HbonePods pods = await HbonePods.StartAsync(families: PodFamilies.IPv6);
        using CancellationTokenSource timeout = new(Clients.Bound);
        using Socket client = await NamespaceSockets.ConnectAsync(pods.A, pods.AppBEndPoint6, timeout.Token);
        IPEndPoint source = (IPEndPoint)client.LocalEndPoint!;

        await client.SendAsync(Encoding.ASCII.GetBytes("hello by ipv6 pod ip"), SocketFlags.None, timeout.Token);
        client.Shutdown(SocketShutdown.Send);
        string byIp = Encoding.ASCII.GetString(await NamespaceSockets.ReadToEndAsync(client, timeout.Token));
        string byVip = await pods.EchoFromAAsync(HbonePods.Vip6EndPoint, "hello by ipv6 service vip");

        byIp.Should().Be("hello by ipv6 pod ip");
        byVip.Should().Be("hello by ipv6 service vip");
        string identityA = MeshCertificates.Identity("a");
        string identityB = MeshCertificates.Identity("b");
        string tunnelB = $"[{Rfc5952(pods.AddressB6)}]:15008";
        string logA = await HbonePods.WaitForOutputAsync(pods.ProxyA, $"via=hbone peer={identityB} tunnel={tunnelB}", 2);
        logA.Should().Contain($"-> [{Rfc5952(pods.AddressB6)}]:{pods.AppB.EndPoint.Port} ")
            .And.Contain($"-> [{Rfc5952(HbonePods.Vip6)}]:{HbonePods.VipPort} ");
        string logB = await HbonePods.WaitForOutputAsync(pods.ProxyB!, $"via=hbone peer={identityA} tunnel=[{Rfc5952(pods.AddressA6)}]:", 2);
        // B's line names A's app (not the tunnel's source port) from the forwarded header A's proxy wrote
        // (for="[addr]:port"), and B's app by the CONNECT authority [addr]:port.
        logB.Should().Contain($"inbound [{Rfc5952(source.Address)}]:{source.Port} -> [{Rfc5952(pods.AddressB6)}]:{pods.AppB.EndPoint.Port} ");
        pods.AppB.Clients.Should().HaveCount(2).And.OnlyContain(c => c.Address.Equals(IPAddress.Parse("::6")),
            "in REDIRECT mode B's proxy connects to its app from ::6 for IPv6 (capture-init's -o lo -s ::6/128 -j RETURN)");
        AccessLogEndpoints(logA).Should().HaveCountGreaterThanOrEqualTo(6);
        AccessLogEndpoints(logB).Should().HaveCountGreaterThanOrEqualTo(6);
        ShouldAllBeRfc5952(logA);
        ShouldAllBeRfc5952(logB);
        ProxyProcess.Metric(await pods.ProxyA.ScrapeAsync(), "capture_hbone_streams_opened_total", "direction=\"outbound\"").Should().Be(2);
        ProxyProcess.Metric(await pods.ProxyB!.ScrapeAsync(), "capture_hbone_streams_opened_total", "direction=\"inbound\"").Should().Be(2);
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl"])]
    public async Task Ipv6_4MiBEachWayAcrossAHalfClose_Sha256EqualOnBothEnds()
    {
        const int Bytes = 4 * 1024 * 1024;
        TaskCompletionSource<byte[]> serverReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource<byte[]> serverSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using HbonePods pods = await HbonePods.StartAsync(async (socket, ct) =>
        {
            // B's app answers only after A's FIN came through the tunnel (END_STREAM → FIN), then ends its side too.
            serverReceived.TrySetResult(await HboneTrafficTests.ReceiveHashAsync(socket, ct));
            serverSent.TrySetResult(await HboneTrafficTests.SendRandomAsync(socket, Bytes, ct));
            socket.Shutdown(SocketShutdown.Send);
        }, families: PodFamilies.IPv6);
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(30));
        using Socket client = await NamespaceSockets.ConnectAsync(pods.A, HbonePods.Vip6EndPoint, timeout.Token);

        byte[] clientSent = await HboneTrafficTests.SendRandomAsync(client, Bytes, timeout.Token);
        client.Shutdown(SocketShutdown.Send);
        byte[] clientReceived = await HboneTrafficTests.ReceiveHashAsync(client, timeout.Token);

        (await serverReceived.Task.WaitAsync(timeout.Token)).Should().Equal(clientSent, "B's app received exactly A's 4 MiB; " + pods.Logs());
        clientReceived.Should().Equal(await serverSent.Task.WaitAsync(timeout.Token), "A's app received exactly B's 4 MiB after its own FIN");
        string metrics = await pods.ProxyA.ScrapeAsync();
        ProxyProcess.Metric(metrics, "capture_hbone_bytes_total", "direction=\"outbound\"", "way=\"upstream\"").Should().Be(Bytes);
        ProxyProcess.Metric(metrics, "capture_hbone_bytes_total", "direction=\"outbound\"", "way=\"downstream\"").Should().Be(Bytes);
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl"])]
    public async Task DualStack_WorkloadWithBothIps_ReachedThroughTheTunnelOverEachFamily()
    {
        using HbonePods pods = await HbonePods.StartAsync(families: PodFamilies.DualStack);

        string byIp4 = await pods.EchoFromAAsync(pods.AppBEndPoint, "v4 pod ip");
        string byIp6 = await pods.EchoFromAAsync(pods.AppBEndPoint6, "v6 pod ip");
        string byVip4 = await pods.EchoFromAAsync(HbonePods.VipEndPoint, "v4 vip");
        string byVip6 = await pods.EchoFromAAsync(HbonePods.Vip6EndPoint, "v6 vip");

        (byIp4, byIp6, byVip4, byVip6).Should().Be(("v4 pod ip", "v6 pod ip", "v4 vip", "v6 vip"));
        string identityB = MeshCertificates.Identity("b");
        // Each family keeps to its own: an IPv4 destination (pod IP or VIP) tunnels to B's IPv4 15008, an IPv6 one to
        // B's IPv6 15008 (the VIP picks the workload address of the family the app dialled).
        await HbonePods.WaitForOutputAsync(pods.ProxyA, $"via=hbone peer={identityB} tunnel={pods.AddressB}:15008", 2);
        string logA = await HbonePods.WaitForOutputAsync(pods.ProxyA, $"via=hbone peer={identityB} tunnel=[{Rfc5952(pods.AddressB6)}]:15008", 2);
        HbonePods.Occurrences(logA, "via=hbone").Should().Be(4, pods.Logs());
        string logB = await HbonePods.WaitForOutputAsync(pods.ProxyB!, $"via=hbone peer={MeshCertificates.Identity("a")}", 4);
        logB.Should().Contain($"tunnel={pods.AddressA}:").And.Contain($"tunnel=[{Rfc5952(pods.AddressA6)}]:");
        pods.AppB.Clients.Should().HaveCount(2).And.OnlyContain(c => c.Address.Equals(IPAddress.Parse("127.0.0.6")), "IPv4 streams come from 127.0.0.6");
        pods.AppB6!.Clients.Should().HaveCount(2).And.OnlyContain(c => c.Address.Equals(IPAddress.Parse("::6")), "IPv6 streams come from ::6");
        ShouldAllBeRfc5952(logA);
        ShouldAllBeRfc5952(logB);
        string metricsA = await pods.ProxyA.ScrapeAsync();
        ProxyProcess.Metric(metricsA, "capture_hbone_streams_opened_total", "direction=\"outbound\"").Should().Be(4);
        ProxyProcess.Metric(metricsA, "capture_hbone_pooled_connections").Should().Be(2, "one pooled connection per family's 15008");
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl", "node"])]
    public async Task Ipv6Authority_FromNodesHttp2Client_BsOwnAndIpv4MappedAreRelayed_OthersRefused()
    {
        // Dual-stack B, tunnel over IPv6: B's IPv4 address written as an IPv4-mapped IPv6 authority is B's too.
        using HbonePods pods = await HbonePods.StartAsync(families: PodFamilies.DualStack);
        string credentials = pods.Certificates.Directory("default.a");
        string connect = $"[{pods.AddressB6}]:15008";
        int port = pods.AppB.EndPoint.Port;

        JsonElement own = NodeHbonePeer.Client(pods.A, connect, $"[{pods.AddressB6}]:{port}", credentials, ["--bytes", "65536"]);
        own.GetProperty("status").GetInt32().Should().Be(200, $"B's own bracketed IPv6 authority is served ({own}); {pods.Logs()}");
        own.GetProperty("receivedSha256").GetString().Should().Be(own.GetProperty("sentSha256").GetString());
        JsonElement mapped = NodeHbonePeer.Client(pods.A, connect, $"[::ffff:{pods.AddressB}]:{port}", credentials, ["--bytes", "65536"]);
        mapped.GetProperty("status").GetInt32().Should().Be(200, $"[::ffff:B's IPv4]:port is B's IPv4 app ({mapped}); {pods.Logs()}");
        mapped.GetProperty("receivedSha256").GetString().Should().Be(mapped.GetProperty("sentSha256").GetString());

        (string Case, string Authority)[] refused =
        [
            ("A's address: not B's", $"[{pods.AddressA6}]:{port}"),
            ("loopback", $"[::1]:{port}"),
        ];
        foreach ((string name, string authority) in refused)
        {
            JsonElement result = NodeHbonePeer.Client(pods.A, connect, authority, credentials);
            result.GetProperty("status").GetInt32().Should().Be(400, $"{name} is refused ({result}); {pods.Logs()}");
            result.GetProperty("received").GetInt64().Should().Be(0, name);
        }

        // Unbracketed, B's address would lose its last group to the port: Kestrel refuses the malformed :authority
        // itself with RST_STREAM (PROTOCOL_ERROR, RFC 9113 §8.1.1) before the stream reaches the proxy's check.
        JsonElement unbracketed = NodeHbonePeer.Client(pods.A, connect, $"{pods.AddressB6}:{port}", credentials);
        unbracketed.GetProperty("status").GetInt32().Should().Be(0, unbracketed.ToString());
        unbracketed.GetProperty("error").GetString().Should().Be("ERR_HTTP2_STREAM_ERROR");
        unbracketed.GetProperty("received").GetInt64().Should().Be(0);

        pods.AppB6!.Clients.Should().ContainSingle("only the stream to B's own IPv6 address reached B's IPv6 app")
            .Which.Address.Should().Be(IPAddress.Parse("::6"));
        pods.AppB.Clients.Should().ContainSingle("the mapped authority reached B's IPv4 app, over IPv4")
            .Which.Address.Should().Be(IPAddress.Parse("127.0.0.6"));
        string logB = await HbonePods.WaitForOutputAsync(pods.ProxyB!, "error=http_400", refused.Length);
        logB.Should().Contain($"{Rfc5952(pods.AddressA6)} is not an address of this pod").And.Contain("::1 is not an address of this pod")
            .And.Contain($"-> {pods.AppBEndPoint} ", "the mapped authority is logged as the IPv4 endpoint it is");
        ShouldAllBeRfc5952(logB);
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl", "node"])]
    public async Task Ipv6_AsOutboundTunnel_ToANodeServer_SendsBracketedAuthorityAndForwarded()
    {
        using HbonePods pods = await HbonePods.StartAsync(startProxyB: false, families: PodFamilies.IPv6);
        using BackgroundProcess node = await NodeHbonePeer.StartServerAsync(pods.B, $"[{pods.AddressB6}]:15008", pods.Certificates.Directory("default.b"));
        using CancellationTokenSource timeout = new(Clients.Bound);
        using Socket client = await NamespaceSockets.ConnectAsync(pods.A, pods.AppBEndPoint6, timeout.Token);
        IPEndPoint source = (IPEndPoint)client.LocalEndPoint!;

        await client.SendAsync(Encoding.ASCII.GetBytes("through node over ipv6"), SocketFlags.None, timeout.Token);
        client.Shutdown(SocketShutdown.Send);
        string echoed = Encoding.ASCII.GetString(await NamespaceSockets.ReadToEndAsync(client, timeout.Token));

        echoed.Should().Be("through node over ipv6", $"node's output: {node.Stdout} {node.Stderr}\n{pods.Logs()}");
        JsonElement stream = NodeHbonePeer.Streams(node).Should().ContainSingle().Subject;
        stream.GetProperty("method").GetString().Should().Be("CONNECT");
        stream.GetProperty("authority").GetString().Should().Be($"[{Rfc5952(pods.AddressB6)}]:{pods.AppB.EndPoint.Port}", "RFC 3986 §3.2.2: an IPv6 host is bracketed");
        stream.GetProperty("forwarded").GetString().Should().Be($"for=\"[{Rfc5952(source.Address)}]:{source.Port}\"", "RFC 7239 §6: quoted and bracketed");
        stream.GetProperty("clientSan")[0].GetString().Should().Be(MeshCertificates.Identity("a"));
        await HbonePods.WaitForOutputAsync(pods.ProxyA, $"via=hbone peer={MeshCertificates.Identity("b")} tunnel=[{Rfc5952(pods.AddressB6)}]:15008");
    }


    /// <summary>
    /// RFC 5952 §4 written out here rather than taken from .NET (whose formatting the proxy uses): lower-case hex, no
    /// leading zeros, the longest run of two or more zero groups (the first of equal runs) as <c>::</c>.
    /// </summary>
    private static string Rfc5952(IPAddress address)
    {
        byte[] bytes = address.GetAddressBytes();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++)
        {
            groups[i] = (bytes[2 * i] << 8) | bytes[(2 * i) + 1];
        }

        int bestStart = -1, bestLength = 1;
        for (int i = 0; i < 8;)
        {
            int j = i;
            while (j < 8 && groups[j] == 0)
            {
                j++;
            }

            if (j - i > bestLength)
            {
                (bestStart, bestLength) = (i, j - i);
            }

            i = j == i ? i + 1 : j;
        }

        StringBuilder text = new();
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                text.Append("::");
                i += bestLength - 1;
                continue;
            }

            if (text.Length > 0 && text[^1] != ':')
            {
                text.Append(':');
            }

            text.Append(groups[i].ToString("x", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>Source, destination and tunnel endpoints of every access-log line in <paramref name="log"/>.</summary>
    private static List<string> AccessLogEndpoints(string log)
    {
        List<string> endpoints = [];
        foreach (Match line in AccessLogLine().Matches(log))
        {
            endpoints.Add(line.Groups["source"].Value);
            endpoints.Add(line.Groups["destination"].Value);
            if (line.Groups["tunnel"].Value != "-")
            {
                endpoints.Add(line.Groups["tunnel"].Value);
            }
        }

        return endpoints;
    }

    /// <summary>Every IPv6 endpoint of every access-log line is <c>[rfc5952]:port</c>.</summary>
    private static void ShouldAllBeRfc5952(string log)
    {
        foreach (string endpoint in AccessLogEndpoints(log))
        {
            if (!endpoint.Contains("::", StringComparison.Ordinal) && endpoint.Split(':').Length <= 2)
            {
                continue; // a.b.c.d:port
            }

            Match bracketed = BracketedEndPoint().Match(endpoint);
            bracketed.Success.Should().BeTrue($"an IPv6 endpoint with a port is bracketed: {endpoint}");
            string address = bracketed.Groups["address"].Value;
            address.Should().Be(Rfc5952(IPAddress.Parse(address)), $"RFC 5952 form in {endpoint}");
        }
    }

    [GeneratedRegex(@"(?<direction>inbound|outbound) (?<source>\S+) -> (?<destination>\S+) up=.* tunnel=(?<tunnel>\S+) policy=")]
    private static partial Regex AccessLogLine();

    [GeneratedRegex(@"^\[(?<address>[0-9A-Fa-f:]+)\]:(?<port>[0-9]+)$")]
    private static partial Regex BracketedEndPoint();
}
