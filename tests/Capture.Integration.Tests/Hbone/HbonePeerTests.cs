using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Capture.Integration.Tests.Infrastructure;
using Capture.Integration.Tests.Proxy;

namespace Capture.Integration.Tests.Hbone;

/// <summary>
/// The published proxy against an HBONE implementation that is not ours (Node's http2 + tls) on both sides, and the
/// refusals: each bad caller or bad server is turned away with nothing delivered to B's app.
/// </summary>
public sealed class HbonePeerTests
{
    [RequiresRootFact(Tools = ["setpriv", "openssl", "node"])]
    public async Task NodeClient_IntoBs15008_EchoesIntactAndSeesBsIdentity()
    {
        using HbonePods pods = await HbonePods.StartAsync();

        JsonElement result = NodeHbonePeer.Client(pods.A, $"{pods.AddressB}:15008", pods.AppBEndPoint.ToString(),
            pods.Certificates.Directory("default.a"), ["--bytes", "1048576"]);

        result.GetProperty("error").GetString().Should().BeEmpty(pods.Logs());
        result.GetProperty("status").GetInt32().Should().Be(200);
        result.GetProperty("received").GetInt64().Should().Be(1048576);
        result.GetProperty("receivedSha256").GetString().Should().Be(result.GetProperty("sentSha256").GetString());
        result.GetProperty("peerSan")[0].GetString().Should().Be(MeshCertificates.Identity("b"));
        (await HbonePods.WaitForOutputAsync(pods.ProxyB!, MeshCertificates.Identity("a"))).Should().Contain(pods.AppBEndPoint.ToString());
        pods.AppB.Accepted.Should().Be(1);
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl", "node"])]
    public async Task AsOutboundTunnel_ToANodeServer_SendsAPlainConnectWithAsCertificate()
    {
        using HbonePods pods = await HbonePods.StartAsync(startProxyB: false);
        using BackgroundProcess node = await NodeHbonePeer.StartServerAsync(pods.B, $"{pods.AddressB}:15008", pods.Certificates.Directory("default.b"));
        using CancellationTokenSource timeout = new(Clients.Bound);
        using Socket client = await NamespaceSockets.ConnectAsync(pods.A, pods.AppBEndPoint, timeout.Token);
        string source = client.LocalEndPoint!.ToString()!;

        await client.SendAsync(Encoding.ASCII.GetBytes("through node"), SocketFlags.None, timeout.Token);
        client.Shutdown(SocketShutdown.Send);
        string echoed = Encoding.ASCII.GetString(await NamespaceSockets.ReadToEndAsync(client, timeout.Token));

        echoed.Should().Be("through node", $"node's output: {node.Stdout} {node.Stderr}\n{pods.Logs()}");
        List<JsonElement> streams = NodeHbonePeer.Streams(node);
        streams.Should().ContainSingle();
        JsonElement stream = streams[0];
        stream.GetProperty("method").GetString().Should().Be("CONNECT");
        stream.GetProperty("authority").GetString().Should().Be(pods.AppBEndPoint.ToString());
        stream.GetProperty("scheme").ValueKind.Should().Be(JsonValueKind.Null, "RFC 9113 §8.5: a plain CONNECT has no :scheme");
        stream.GetProperty("path").ValueKind.Should().Be(JsonValueKind.Null, "RFC 9113 §8.5: a plain CONNECT has no :path");
        stream.GetProperty("clientSan")[0].GetString().Should().Be(MeshCertificates.Identity("a"));
        stream.GetProperty("forwarded").GetString().Should().Be($"for=\"{source}\"");
        await HbonePods.WaitForOutputAsync(pods.ProxyA, $"via=hbone peer={MeshCertificates.Identity("b")} tunnel={pods.AddressB}:15008");
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl", "node"])]
    public async Task Refusals_IntoBs15008_DeliverNothingToBsApp()
    {
        using HbonePods pods = await HbonePods.StartAsync();
        MeshCertificates certificates = pods.Certificates;
        string good = certificates.Directory("default.a");
        string otherCa = certificates.Issue("other-ca.a", "a", certificates.OtherCa("other-ca"));
        string otherDomain = certificates.Issue("other-domain.a", "a", options: ["--trust-domain", "other.example"]);
        string authority = pods.AppBEndPoint.ToString();
        string connect = $"{pods.AddressB}:15008";

        (string Case, string Credentials, string[] Options, int Status)[] cases =
        [
            ("a client certificate from another CA", otherCa, [], 0),
            ("another trust domain", otherDomain, [], 0),
            ("no client certificate", good, ["--no-cert"], 0),
            ("TLS 1.2 only", good, ["--tls12"], 0),
            ("a request that is not CONNECT", good, ["--method", "GET"], 400),
            ("an authority that is not B's", good, [], 400),
        ];

        foreach ((string name, string credentials, string[] options, int status) in cases)
        {
            string target = name == "an authority that is not B's" ? $"{pods.AddressA}:{pods.AppB.EndPoint.Port}" : authority;
            JsonElement result = NodeHbonePeer.Client(pods.A, connect, target, credentials, options);
            result.GetProperty("status").GetInt32().Should().Be(status, $"{name} is refused ({result}); {pods.Logs()}");
            if (status == 0)
            {
                result.GetProperty("error").GetString().Should().NotBeEmpty($"{name}: the TLS handshake fails");
            }

            result.GetProperty("received").GetInt64().Should().Be(0, name);
        }

        pods.AppB.Accepted.Should().Be(0, "no refused caller reached B's app");
        string metrics = await pods.ProxyB!.ScrapeAsync();
        ProxyProcess.Metric(metrics, "capture_hbone_tls_handshake_failures_total", "direction=\"inbound\"").Should().BeGreaterThanOrEqualTo(4);
        ProxyProcess.Metric(metrics, "capture_hbone_streams_opened_total", "direction=\"inbound\"").Should().Be(0);
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl"])]
    public async Task WrongServerSan_AsAppIsResetAndNothingReachesBsApp()
    {
        // B's proxy holds a valid mesh certificate, but for another service account than the workloads file names.
        using HbonePods pods = await HbonePods.StartAsync(credentialsB: "impostor");
        using CancellationTokenSource timeout = new(Clients.Bound);

        string end;
        int bytes;
        try
        {
            using Socket client = await NamespaceSockets.ConnectAsync(pods.A, pods.AppBEndPoint, timeout.Token);
            await client.SendAsync(Encoding.ASCII.GetBytes("secret"), SocketFlags.None, timeout.Token);
            (end, bytes) = await Clients.ReadUntilClosedAsync(client, TimeSpan.FromSeconds(10));
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset)
        {
            (end, bytes) = ("reset", 0);
        }

        end.Should().Be("reset", pods.Logs());
        bytes.Should().Be(0);
        pods.AppB.Accepted.Should().Be(0);
        string metrics = await pods.ProxyA.ScrapeAsync();
        ProxyProcess.Metric(metrics, "capture_hbone_streams_failed_total", "direction=\"outbound\"", "cause=\"identity\"").Should().Be(1, pods.Logs());
    }
}
