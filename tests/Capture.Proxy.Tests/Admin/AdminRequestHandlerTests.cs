using System.Net;
using Capture.Proxy.Admin;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Logging;
using Capture.Proxy.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Admin;

public class AdminRequestHandlerTests
{
    private const int ReadinessPort = 15021;
    private const int MetricsPort = 15090;
    private const int AdminPort = 15000;

    private readonly Readiness _readiness = new();
    private readonly LogLevelSwitch _levels = new(LogLevel.Information);
    private readonly RecordingLifecycle _lifecycle = new();
    private readonly AdminRequestHandler _handler;

    public AdminRequestHandlerTests() =>
        _handler = new AdminRequestHandler(ProxyOptions.Default, _readiness, new ProxyMetrics(), _levels, _lifecycle, NullLogger.Instance);

    [Theory]
    [InlineData((int)ReadinessState.Starting, 503, "starting\n")]
    [InlineData((int)ReadinessState.Ready, 200, "ready\n")]
    [InlineData((int)ReadinessState.Draining, 503, "draining\n")]
    [InlineData((int)ReadinessState.Stopped, 503, "stopped\n")]
    public async Task GetReady_EachState_AnswersAccordingly(int state, int expectedStatus, string expectedBody)
    {
        MoveTo((ReadinessState)state);

        (int status, string body) = await SendAsync(ReadinessPort, "GET", "/healthz/ready");

        status.Should().Be(expectedStatus);
        body.Should().Be(expectedBody);
    }

    [Theory]
    [InlineData(ReadinessPort, "/stats/prometheus")]
    [InlineData(ReadinessPort, "/quitquitquit")]
    [InlineData(MetricsPort, "/healthz/ready")]
    [InlineData(MetricsPort, "/drain")]
    [InlineData(AdminPort, "/nope")]
    public async Task Request_PathNotServedOnThatPort_Is404(int port, string path)
    {
        (int status, _) = await SendAsync(port, "POST", path);

        status.Should().Be(404);
        _lifecycle.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task PostQuitQuitQuit_OnAdminPort_RequestsShutdown()
    {
        (int status, string body) = await SendAsync(AdminPort, "POST", "/quitquitquit");

        status.Should().Be(200);
        body.Should().Be("OK\n");
        _lifecycle.Calls.Should().Equal("shutdown: POST /quitquitquit");
    }

    [Fact]
    public async Task PostDrain_OnAdminPort_BeginsDrain()
    {
        (int status, _) = await SendAsync(AdminPort, "POST", "/drain");

        status.Should().Be(200);
        _lifecycle.Calls.Should().Equal("drain: POST /drain (AllListeners)");
    }

    [Fact]
    public async Task PostDrainListenersInboundOnly_OnAdminPort_DrainsInboundOnly()
    {
        (int status, _) = await SendAsync(AdminPort, "POST", "/drain_listeners", "?inboundonly&graceful");

        status.Should().Be(200);
        _lifecycle.Calls.Should().Equal("drain: POST /drain?inboundonly (InboundOnly)");
    }

    [Theory]
    [InlineData("/quitquitquit")]
    [InlineData("/drain")]
    public async Task GetStateChangingPath_Is405AndChangesNothing(string path)
    {
        (int status, _) = await SendAsync(AdminPort, "GET", path);

        status.Should().Be(405);
        _lifecycle.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task PostLogging_ValidLevel_ChangesTheSwitch()
    {
        (int status, string body) = await SendAsync(AdminPort, "POST", "/logging", "?level=debug");

        status.Should().Be(200);
        body.Should().Be("level: debug\n");
        _levels.Level.Should().Be(LogLevel.Debug);
    }

    [Theory]
    [InlineData("?level=loud")]
    [InlineData("")]
    public async Task PostLogging_BadOrMissingLevel_Is400AndKeepsTheLevel(string query)
    {
        (int status, string body) = await SendAsync(AdminPort, "POST", "/logging", query);

        status.Should().Be(400);
        body.Should().Contain("trace, debug, info, warn, error, critical or off");
        _levels.Level.Should().Be(LogLevel.Information);
    }

    [Fact]
    public async Task GetLogging_ReportsTheCurrentLevel()
    {
        _levels.Level = LogLevel.Warning;

        (int status, string body) = await SendAsync(AdminPort, "GET", "/logging");

        status.Should().Be(200);
        body.Should().Be("level: warn\n");
    }

    [Theory]
    [InlineData(MetricsPort)]
    [InlineData(AdminPort)]
    public async Task GetPrometheus_OnMetricsOrAdminPort_ServesText(int port)
    {
        _readiness.MarkReady();

        (int status, string body) = await SendAsync(port, "GET", "/stats/prometheus");

        status.Should().Be(200);
        body.Should().Contain("# TYPE capture_connections_accepted_total counter\n")
            .And.Contain("capture_ready 1\n")
            .And.Contain("# TYPE process_resident_memory_bytes gauge\n");
    }

    private void MoveTo(ReadinessState state)
    {
        if (state >= ReadinessState.Ready)
        {
            _readiness.MarkReady();
        }

        if (state >= ReadinessState.Draining)
        {
            _readiness.MarkDraining();
        }

        if (state >= ReadinessState.Stopped)
        {
            _readiness.MarkStopped();
        }
    }

    private async Task<(int Status, string Body)> SendAsync(int port, string method, string path, string query = "")
    {
        DefaultHttpContext context = new();
        context.Connection.LocalPort = port;
        context.Connection.LocalIpAddress = IPAddress.Loopback;
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        using MemoryStream body = new();
        context.Response.Body = body;

        await _handler.HandleAsync(context);

        return (context.Response.StatusCode, System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }

    private sealed class RecordingLifecycle : IProxyLifecycle
    {
        public List<string> Calls { get; } = [];

        public void BeginDrain(string reason, DrainScope scope) => Calls.Add($"drain: {reason} ({scope})");

        public void RequestShutdown(string reason) => Calls.Add($"shutdown: {reason}");
    }
}
