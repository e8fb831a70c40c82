using System.Net;
using System.Net.Sockets;
using System.Text;
using Capture.Proxy.Admin;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Logging;
using Capture.Proxy.Metrics;
using Capture.Proxy.Tests.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Admin;

/// <summary>The admin ports against floods: idle and slow connections must not starve the kubelet's probes (issue 11, item 8).</summary>
public sealed class AdminServerTests : IAsyncLifetime
{
    private readonly ProxyOptions _options;
    private readonly Readiness _readiness = new();
    private readonly AdminServer _server;
    private readonly List<Socket> _flood = [];

    public AdminServerTests()
    {
        int[] ports = ProxyHostTests.FreePorts(3);
        _options = ProxyOptions.Default with
        {
            ReadinessPort = ports[0],
            MetricsPort = ports[1],
            AdminEndpoint = new IPEndPoint(IPAddress.Loopback, ports[2]),
        };
        AdminRequestHandler handler = new(_options, _readiness, new ProxyMetrics(), new LogLevelSwitch(LogLevel.Information),
            new NoLifecycle(), NullLogger.Instance);
        _server = new AdminServer(_options, handler, NullLoggerFactory.Instance);
    }

    public async Task InitializeAsync()
    {
        await _server.StartAsync(CancellationToken.None);
        _readiness.MarkReady();
    }

    public async Task DisposeAsync()
    {
        foreach (Socket socket in _flood)
        {
            socket.Dispose();
        }

        await _server.StopAsync(CancellationToken.None);
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Probe_WhileFourTimesTheLimitOfIdleConnectionsAreHeld_AnswersEveryTime()
    {
        // Before: Kestrel's MaxConcurrentConnections (64) refused every new connection, the probe's included.
        await FloodAsync(_options.ReadinessPort, 4 * AdminServer.MaxConnections, partialRequest: false);

        int[] statuses = await ProbeRepeatedlyAsync(_options.ReadinessPort, times: 10);

        statuses.Should().AllBeEquivalentTo(200, "a probe on a new connection evicts an idle one instead of being refused");
        _server.Limit.Open.Should().BeLessThanOrEqualTo(AdminServer.MaxConnections);
        _server.Limit.Evicted.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Probe_WhileSlowClientsHoldHalfSentRequestsOnMetricsAndReadiness_AnswersEveryTime()
    {
        await FloodAsync(_options.MetricsPort, 2 * AdminServer.MaxConnections, partialRequest: true);
        await FloodAsync(_options.ReadinessPort, 2 * AdminServer.MaxConnections, partialRequest: true);

        int[] statuses = await ProbeRepeatedlyAsync(_options.ReadinessPort, times: 10);
        (int metrics, _) = await GetAsync(_options.MetricsPort, "/stats/prometheus");

        statuses.Should().AllBeEquivalentTo(200);
        metrics.Should().Be(200);
    }

    [Fact]
    public async Task IdleConnection_IsClosedByTheServerWithinTheHeaderTimeout()
    {
        using Socket idle = await ConnectAsync(_options.ReadinessPort);
        DateTime started = DateTime.UtcNow;

        int read;
        try
        {
            read = await idle.ReceiveAsync(new byte[1]).WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (SocketException)
        {
            read = 0; // a reset is a close too
        }

        read.Should().Be(0, "the server closes a connection that sends nothing");
        (DateTime.UtcNow - started).Should().BeLessThan(AdminServer.KeepAliveTimeout + AdminServer.RequestHeadersTimeout + TimeSpan.FromSeconds(3));
    }

    private async Task FloodAsync(int port, int count, bool partialRequest)
    {
        for (int i = 0; i < count; i++)
        {
            Socket socket = await ConnectAsync(port);
            _flood.Add(socket);
            if (partialRequest)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes("GET /healthz/ready HTTP/1.1\r\nHost: x\r\n"));
            }
        }

        await Task.Delay(200); // let the server take them all in before the probes come
    }

    private async Task<int[]> ProbeRepeatedlyAsync(int port, int times)
    {
        int[] statuses = new int[times];
        for (int i = 0; i < times; i++)
        {
            (statuses[i], _) = await GetAsync(port, "/healthz/ready");
            await Task.Delay(50);
        }

        return statuses;
    }

    /// <summary>As the kubelet probes: a new connection, one request, a one-second timeout. 0 when it failed.</summary>
    private static async Task<(int Status, string Body)> GetAsync(int port, string path)
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(1));
        try
        {
            using Socket socket = await ConnectAsync(port);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n"), timeout.Token);
            using MemoryStream response = new();
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
            {
                response.Write(buffer, 0, read);
            }

            string text = Encoding.ASCII.GetString(response.ToArray());
            return text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? (int.Parse(text.AsSpan(9, 3)), text) : (0, text);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return (0, ex.Message);
        }
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    private sealed class NoLifecycle : IProxyLifecycle
    {
        public void BeginDrain(string reason, DrainScope scope) { }

        public void RequestShutdown(string reason) { }
    }
}
