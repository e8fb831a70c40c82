using System.Net;
using System.Text.Json;
using Capture.Proxy.Identity;
using Capture.Proxy.Tests.Identity;
using Capture.Proxy.Tunneling;
using Capture.Proxy.Tunneling.Inbound;
using Capture.Proxy.Tunneling.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Tunneling;

/// <summary>15008 in process on loopback, with Node's http2 as the client (an independent HTTP/2 implementation).</summary>
public sealed class HboneInboundServerTests : IAsyncLifetime
{
    private const string Productpage = "spiffe://cluster.local/ns/default/sa/bookinfo-productpage";
    private const string Reviews = "spiffe://cluster.local/ns/default/sa/bookinfo-reviews";

    private static readonly TestPki s_mesh = new();
    private readonly string _serverCerts = s_mesh.Issue(Reviews).WriteToNewDirectory();
    private readonly string _clientCerts = s_mesh.Issue(Productpage).WriteToNewDirectory();
    private readonly RecordingHboneEvents _events = new();
    private readonly EchoServer _echo = new();
    private HboneInboundServer? _server;
    private IPEndPoint _endPoint = null!;

    public async Task InitializeAsync()
    {
        WorkloadCredentials credentials = CredentialsLoader.Load(_serverCerts, DateTimeOffset.UtcNow);
        _server = new HboneInboundServer(new HboneInboundOptions { Port = 0 }, () => credentials, _events, NullLoggerFactory.Instance,
            new LocalAddresses([IPAddress.Loopback]));
        await _server.StartAsync(CancellationToken.None);
        _endPoint = new IPEndPoint(IPAddress.Loopback, _server.EndPoints[0].Port); // ListenAnyIP: [::], dual-stack
    }

    public async Task DisposeAsync()
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(5));
        await _server!.StopAsync(timeout.Token);
        await _server.DisposeAsync();
        _echo.Dispose();
        Directory.Delete(_serverCerts, recursive: true);
        Directory.Delete(_clientCerts, recursive: true);
    }

    [RequiresNodeFact]
    public async Task Connect_FromNodeHttp2_EchoesIntactAndKnowsTheCallersIdentity()
    {
        JsonElement result = await RunClientAsync(_clientCerts, _echo.EndPoint.ToString(), "--bytes", "3000000");

        result.GetProperty("error").GetString().Should().BeEmpty(result.ToString());
        result.GetProperty("status").GetInt32().Should().Be(200);
        result.GetProperty("received").GetInt64().Should().Be(3_000_000);
        result.GetProperty("receivedSha256").GetString().Should().Be(result.GetProperty("sentSha256").GetString());
        result.GetProperty("peerSan")[0].GetString().Should().Be(Reviews);
        TunnelStreamSummary summary = await _events.NextSummaryAsync();
        summary.PeerIdentity.Should().Be(Productpage);
        summary.Status.Should().Be(200);
        summary.Destination.Should().Be(_echo.EndPoint);
        summary.BytesUpstream.Should().Be(3_000_000);
        summary.BytesDownstream.Should().Be(3_000_000);
        summary.EndReason.Should().Be(Capture.Proxy.Contracts.ConnectionEndReason.Completed);
        _echo.Peers.Should().ContainSingle().Which.Address.Should().Be(IPAddress.Parse("127.0.0.6"), "REDIRECT mode connects from 127.0.0.6");
        _events.Handshakes.Should().Equal((Capture.Proxy.Contracts.TrafficDirection.Inbound, TlsFailure.None));
    }

    [RequiresNodeFact]
    public async Task Connect_ClientReadsNothingForAWhile_AppIsHeldBackThenEverythingArrives()
    {
        // 96 MiB from the app while Node reads nothing for 3 s: flow control (Node's stream window), Kestrel's bounded
        // response buffer and the relay waiting on its flush must stop the app long before it is done; TCP buffers on
        // loopback hold a few MiB each, so half of it is far above what may be in flight.
        const long Total = 96L * 1024 * 1024;
        using FloodServer app = new(Total);
        Task<JsonElement> client = RunClientAsync(_clientCerts, app.EndPoint.ToString(), "--pause-ms", "3000", "--timeout", "60000");
        await app.Connected.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        long heldAt = app.Written;

        JsonElement result = await client;
        heldAt.Should().BeGreaterThan(0).And.BeLessThan(Total / 2, "a reader that takes nothing must hold the app back");
        result.GetProperty("error").GetString().Should().BeEmpty(result.ToString());
        result.GetProperty("received").GetInt64().Should().Be(Total);
        result.GetProperty("receivedSha256").GetString().Should().Be(app.Sha256);
        await app.Finished.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [RequiresNodeFact]
    public async Task Connect_NotConnectMethod_Answers400AndConnectsNothing()
    {
        JsonElement result = await RunClientAsync(_clientCerts, _echo.EndPoint.ToString(), "--method", "POST");

        result.GetProperty("status").GetInt32().Should().Be(400, result.ToString());
        (await _events.NextSummaryAsync()).Detail.Should().Be("method POST is not CONNECT");
        _echo.Peers.Should().BeEmpty();
    }

    [RequiresNodeFact]
    public async Task Connect_AuthorityNotLocal_Answers400AndConnectsNothing()
    {
        JsonElement result = await RunClientAsync(_clientCerts, "192.0.2.1:9080");

        result.GetProperty("status").GetInt32().Should().Be(400, result.ToString());
        (await _events.NextSummaryAsync()).Detail.Should().Be("192.0.2.1 is not an address of this pod");
        _events.Failures.Should().Equal((Capture.Proxy.Contracts.TrafficDirection.Inbound, TunnelFailure.ClientError));
    }

    [RequiresNodeFact]
    public async Task Connect_NothingListening_Answers503()
    {
        IPEndPoint closed = new(IPAddress.Loopback, FreePort());

        JsonElement result = await RunClientAsync(_clientCerts, closed.ToString());

        result.GetProperty("status").GetInt32().Should().Be(503);
        _events.Failures.Should().Equal((Capture.Proxy.Contracts.TrafficDirection.Inbound, TunnelFailure.Connect));
    }

    [RequiresNodeFact]
    public async Task Connect_ClientFromAnotherCa_RefusedInTheHandshake()
    {
        string stranger = new TestPki("Other CA").Issue(Productpage).WriteToNewDirectory();
        try
        {
            // The client trusts our root (to reach the point where the server checks the client), but is issued elsewhere.
            File.Copy(Path.Combine(_clientCerts, "root-cert.pem"), Path.Combine(stranger, "root-cert.pem"), overwrite: true);

            JsonElement result = await RunClientAsync(stranger, _echo.EndPoint.ToString(), "--bytes", "10");

            result.GetProperty("status").GetInt32().Should().Be(0);
            result.GetProperty("error").GetString().Should().NotBeEmpty(result.ToString());
            _events.Handshakes.Should().Equal((Capture.Proxy.Contracts.TrafficDirection.Inbound, TlsFailure.UntrustedChain));
            _echo.Peers.Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(stranger, recursive: true);
        }
    }

    [RequiresNodeFact]
    public async Task Connect_Tls12Only_RefusedInTheHandshake()
    {
        JsonElement result = await RunClientAsync(_clientCerts, _echo.EndPoint.ToString(), "--tls12");

        result.GetProperty("error").GetString().Should().NotBeEmpty(result.ToString());
        _events.Handshakes.Should().Equal((Capture.Proxy.Contracts.TrafficDirection.Inbound, TlsFailure.Handshake));
        _echo.Peers.Should().BeEmpty();
    }

    [RequiresNodeFact]
    public async Task Connect_NoClientCertificate_RefusedInTheHandshake()
    {
        JsonElement result = await RunClientAsync(_clientCerts, _echo.EndPoint.ToString(), "--no-cert");

        result.GetProperty("error").GetString().Should().NotBeEmpty(result.ToString());
        _events.Handshakes.Should().Equal((Capture.Proxy.Contracts.TrafficDirection.Inbound, TlsFailure.NoCertificate));
        _echo.Peers.Should().BeEmpty();
    }

    private Task<JsonElement> RunClientAsync(string certs, string authority, params string[] extra) =>
        NodePeer.RunClientAsync([
            "--connect", _endPoint.ToString(), "--authority", authority,
            "--cert", Path.Combine(certs, "cert-chain.pem"), "--key", Path.Combine(certs, "key.pem"), "--ca", Path.Combine(certs, "root-cert.pem"),
            .. extra]);

    private static int FreePort()
    {
        using System.Net.Sockets.Socket probe = new(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
