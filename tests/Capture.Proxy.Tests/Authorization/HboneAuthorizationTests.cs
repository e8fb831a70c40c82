using System.Net;
using System.Text.Json;
using Capture.Proxy.Authorization;
using Capture.Proxy.Contracts;
using Capture.Proxy.Identity;
using Capture.Proxy.Metrics;
using Capture.Proxy.Tests.Identity;
using Capture.Proxy.Tests.Tunneling;
using Capture.Proxy.Tunneling;
using Capture.Proxy.Tunneling.Inbound;
using Capture.Proxy.Workloads;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Authorization;

/// <summary>
/// Enforcement on 15008, in process on loopback with Node's http2 as the client: an Allow policy for one service
/// account lets that caller through to the app and answers another 401 without connecting the app.
/// </summary>
public sealed class HboneAuthorizationTests : IAsyncLifetime
{
    private const string Allowed = "spiffe://cluster.local/ns/default/sa/a";
    private const string Other = "spiffe://cluster.local/ns/default/sa/c";
    private const string Server = "spiffe://cluster.local/ns/default/sa/server";

    private static readonly TestPki s_mesh = new();
    private readonly string _serverCerts = s_mesh.Issue(Server).WriteToNewDirectory();
    private readonly string _allowedCerts = s_mesh.Issue(Allowed).WriteToNewDirectory();
    private readonly string _otherCerts = s_mesh.Issue(Other).WriteToNewDirectory();
    private readonly RecordingHboneEvents _events = new();
    private readonly EchoServer _echo = new();
    private readonly AuthorizationMetrics _metrics = new();
    private HboneInboundServer? _server;
    private IPEndPoint _endPoint = null!;

    public async Task InitializeAsync()
    {
        // The app listens on loopback: the workloads file names 127.0.0.1 as this workload's address.
        WorkloadIndex index = new(LocalConfigParser.Parse("""
            workloads:
            - name: server
              namespace: default
              serviceAccount: server
              workloadIps: ["127.0.0.1"]
              protocol: HBONE
            policies:
            - name: allow-a
              namespace: default
              scope: Namespace
              action: Allow
              rules: [[[serviceAccounts: [{namespace: default, serviceAccount: a}]]]]
            """, "/test/workloads.yaml"));
        Authorizer authorizer = new(() => index, _metrics, NullLogger.Instance);
        WorkloadCredentials credentials = CredentialsLoader.Load(_serverCerts, DateTimeOffset.UtcNow);
        _server = new HboneInboundServer(new HboneInboundOptions { Port = 0, Authorizer = authorizer }, () => credentials, _events,
            NullLoggerFactory.Instance, new LocalAddresses([IPAddress.Loopback]));
        await _server.StartAsync(CancellationToken.None);
        _endPoint = new IPEndPoint(IPAddress.Loopback, _server.EndPoints[0].Port);
    }

    public async Task DisposeAsync()
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(5));
        await _server!.StopAsync(timeout.Token);
        await _server.DisposeAsync();
        _echo.Dispose();
        foreach (string directory in new[] { _serverCerts, _allowedCerts, _otherCerts })
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [RequiresNodeFact]
    public async Task Connect_AllowedServiceAccount_ReachesTheApp()
    {
        JsonElement result = await RunClientAsync(_allowedCerts, "--bytes", "1000");

        result.GetProperty("status").GetInt32().Should().Be(200, result.ToString());
        result.GetProperty("received").GetInt64().Should().Be(1000);
        TunnelStreamSummary summary = await _events.NextSummaryAsync();
        summary.Policy.Should().Be("default/allow-a");
        _echo.Peers.Should().ContainSingle();
    }

    [RequiresNodeFact]
    public async Task Connect_OtherServiceAccount_Answers401AndNeverReachesTheApp()
    {
        JsonElement result = await RunClientAsync(_otherCerts, "--bytes", "1000");

        result.GetProperty("status").GetInt32().Should().Be(401, result.ToString());
        TunnelStreamSummary summary = await _events.NextSummaryAsync();
        summary.Status.Should().Be(401);
        summary.EndReason.Should().Be(ConnectionEndReason.Denied);
        summary.Detail.Should().Be("denied: no allow policy matched");
        summary.PeerIdentity.Should().Be(Other);
        _events.Failures.Should().Equal((TrafficDirection.Inbound, TunnelFailure.ClientError));
        _echo.Peers.Should().BeEmpty();
        _metrics.DeniedCount("").Should().Be(1);
    }

    private Task<JsonElement> RunClientAsync(string certs, params string[] extra) =>
        NodePeer.RunClientAsync([
            "--connect", _endPoint.ToString(), "--authority", _echo.EndPoint.ToString(),
            "--cert", Path.Combine(certs, "cert-chain.pem"), "--key", Path.Combine(certs, "key.pem"), "--ca", Path.Combine(certs, "root-cert.pem"),
            .. extra]);
}
