using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Capture.Integration.Tests.Infrastructure;
using Capture.Integration.Tests.Proxy;

namespace Capture.Integration.Tests.Hbone;

/// <summary>
/// What is on the veth between the pods (tcpdump), and what changes while the proxies run: the workloads file turning
/// a destination from TCP to HBONE, and certificate rotation under an open tunnel.
/// </summary>
public sealed class HboneWireTests
{
    [RequiresRootFact(Tools = ["setpriv", "openssl", "tcpdump"])]
    public async Task Wire_TcpDestinationCarriesTheMarkerInClear_AfterTheSwitchToHboneItNeverAppears()
    {
        using HbonePods pods = await HbonePods.StartAsync(protocolB: "TCP");
        using WireCapture wire = await WireCapture.StartAsync(pods.A);
        string clear = "CLEARTEXT-" + Guid.NewGuid().ToString("N");
        string hidden = "TUNNELLED-" + Guid.NewGuid().ToString("N");
        using CancellationTokenSource timeout = new(Clients.Bound);

        // protocol: TCP: plain passthrough, the marker crosses the wire as is. This connection stays open across the switch.
        using Socket open = await NamespaceSockets.ConnectAsync(pods.A, pods.AppBEndPoint, timeout.Token);
        (await ExchangeAsync(open, clear, timeout.Token)).Should().Be(clear, pods.Logs());

        pods.WriteWorkloads("HBONE");
        await HbonePods.WaitForOutputAsync(pods.ProxyA, "changed: now 2 workloads");
        string byIp = await Clients.EchoAsync(pods.A, pods.AppBEndPoint, hidden);
        string byVip = await Clients.EchoAsync(pods.A, HbonePods.VipEndPoint, hidden);
        (await ExchangeAsync(open, clear, timeout.Token)).Should().Be(clear, "an open connection keeps the route it started with");
        byte[] pcap = await wire.StopAndReadAsync();

        byIp.Should().Be(hidden);
        byVip.Should().Be(hidden);
        WireCapture.Count(pcap, clear).Should().BeGreaterThanOrEqualTo(4, $"the TCP connection's marker, both ways, twice, is plaintext on the wire (pcap of {pcap.Length} bytes)");
        WireCapture.Count(pcap, hidden).Should().Be(0, "inside the tunnel the marker is TLS ciphertext");
        string logA = pods.ProxyA.Output;
        HbonePods.Occurrences(logA, $"via=hbone peer={MeshCertificates.Identity("b")} tunnel={pods.AddressB}:15008").Should().Be(2, logA);
        string logB = await HbonePods.WaitForOutputAsync(pods.ProxyB!, MeshCertificates.Identity("a"), 2);
        logB.Should().Contain("inbound");
        pcap.Length.Should().BeGreaterThan(BulkOfTls, "the tunnelled exchanges were captured too, as TLS");
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl", "node"])]
    public async Task Rotation_OpenTunnelKeepsWorking_NewConnectionsGetTheNewCertificate()
    {
        using HbonePods pods = await HbonePods.StartAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(40));
        string credentialsB = pods.Certificates.Directory("default.b");
        using Socket open = await NamespaceSockets.ConnectAsync(pods.A, pods.AppBEndPoint, timeout.Token);
        (await ExchangeAsync(open, "before", timeout.Token)).Should().Be("before", pods.Logs());
        string before = Fingerprint(credentialsB);
        NodeFingerprint(pods).Should().Be(before);

        pods.Certificates.Issue("default.b", "b");
        pods.Certificates.Issue("default.a", "a");
        string after = Fingerprint(credentialsB);
        after.Should().NotBe(before);
        await HbonePods.WaitForOutputAsync(pods.ProxyB!, "changed: new handshakes use", timeout: TimeSpan.FromSeconds(15));
        await HbonePods.WaitForOutputAsync(pods.ProxyA, "changed: new handshakes use", timeout: TimeSpan.FromSeconds(15));

        (await ExchangeAsync(open, "after", timeout.Token)).Should().Be("after", "the open tunnel keeps the credentials it started with");
        NodeFingerprint(pods).Should().Be(after, "a new TLS connection into B's 15008 gets B's new certificate");
        long handshakesBefore = ProxyProcess.Metric(await pods.ProxyA.ScrapeAsync(), "capture_hbone_tls_handshakes_total", "direction=\"outbound\"");
        (await Clients.EchoAsync(pods.A, HbonePods.VipEndPoint, "new connection")).Should().Be("new connection");
        long handshakesAfter = ProxyProcess.Metric(await pods.ProxyA.ScrapeAsync(), "capture_hbone_tls_handshakes_total", "direction=\"outbound\"");
        handshakesAfter.Should().Be(handshakesBefore + 1, "the pool is keyed on A's credentials: after A's rotation a new connection dials a new tunnel with the new certificate");
    }

    /// <summary>A pcap of two short tunnelled echoes holds at least the two TLS handshakes' certificates.</summary>
    private const int BulkOfTls = 2000;

    private static async Task<string> ExchangeAsync(Socket socket, string message, CancellationToken cancellationToken)
    {
        byte[] sent = Encoding.ASCII.GetBytes(message);
        await socket.SendAsync(sent, SocketFlags.None, cancellationToken);
        byte[] buffer = new byte[sent.Length];
        int got = 0;
        while (got < buffer.Length)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                break;
            }

            got += read;
        }

        return Encoding.ASCII.GetString(buffer, 0, got);
    }

    /// <summary>The SHA-256 fingerprint of the leaf in <c>cert-chain.pem</c>, as Node prints it (AA:BB:…).</summary>
    private static string Fingerprint(string credentials)
    {
        using X509Certificate2 leaf = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(credentials, "cert-chain.pem")));
        byte[] hash = leaf.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        return string.Join(':', hash.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));
    }

    /// <summary>What certificate B's 15008 presents to a new TLS connection (Node's view).</summary>
    private static string NodeFingerprint(HbonePods pods)
    {
        JsonElement result = NodeHbonePeer.Client(pods.A, $"{pods.AddressB}:15008", new IPEndPoint(pods.AddressB, pods.AppB.EndPoint.Port).ToString(),
            pods.Certificates.Directory("default.a"));
        result.GetProperty("status").GetInt32().Should().Be(200, $"{result}\n{pods.Logs()}");
        return result.GetProperty("peerFingerprint").GetString()!;
    }
}
