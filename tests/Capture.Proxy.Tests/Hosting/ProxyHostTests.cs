using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Admin;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Hosting;
using Capture.Proxy.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Hosting;

public sealed class ProxyHostTests : IDisposable
{
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly FakeRelayEngine _engine = new();
    private readonly ProxyOptions _options;

    public ProxyHostTests()
    {
        int[] ports = FreePorts(3);
        _options = ProxyOptions.Default with
        {
            ReadinessPort = ports[0],
            MetricsPort = ports[1],
            AdminEndpoint = new IPEndPoint(IPAddress.Loopback, ports[2]),
            DrainDuration = TimeSpan.FromSeconds(5),
        };
    }

    public void Dispose()
    {
        _http.Dispose();
        _engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Fact]
    public async Task RunAsync_Lifecycle_ReadinessGoesStartingReadyDrainingAndExitsZero()
    {
        _engine.StartGate.Reset();
        using ProxyHost host = CreateHost(_options);

        Task<ExitCode> run = Task.Run(() => host.RunAsync(CancellationToken.None));
        (HttpStatusCode startingStatus, string startingBody) = await PollReadyAsync(s => s == HttpStatusCode.ServiceUnavailable);
        _engine.StartGate.Set();
        (HttpStatusCode readyStatus, string readyBody) = await PollReadyAsync(s => s == HttpStatusCode.OK);
        _engine.ActiveConnections = 2;
        HttpResponseMessage quit = await _http.PostAsync(AdminUri("/quitquitquit"), null);
        (HttpStatusCode drainingStatus, string drainingBody) = await PollReadyAsync(s => s == HttpStatusCode.ServiceUnavailable);
        bool exitedWhileDraining = run.IsCompleted;
        _engine.DrainDuration = TimeSpan.Zero;
        ExitCode exit = await run.WaitAsync(s_bound);

        startingStatus.Should().Be(HttpStatusCode.ServiceUnavailable);
        startingBody.Should().Be("starting\n");
        readyStatus.Should().Be(HttpStatusCode.OK);
        readyBody.Should().Be("ready\n");
        quit.StatusCode.Should().Be(HttpStatusCode.OK);
        drainingStatus.Should().Be(HttpStatusCode.ServiceUnavailable);
        drainingBody.Should().Be("draining\n");
        exitedWhileDraining.Should().BeFalse();
        exit.Should().Be(ExitCode.Success);
        _engine.DrainScopes.Should().AllSatisfy(s => s.Should().Be(DrainScope.InboundOnly, "a shutdown drains inbound only; outbound stays captured"));
        _engine.RunCancelled.Should().BeTrue();
        host.Readiness.State.Should().Be(ReadinessState.Stopped);
    }

    [Fact]
    public async Task RunAsync_ConnectionsOutliveDrainDuration_ClosesThemAfterTheDuration()
    {
        ProxyOptions options = _options with { DrainDuration = TimeSpan.FromMilliseconds(400) };
        using ProxyHost host = CreateHost(options);
        using CancellationTokenSource signal = new();
        Task<ExitCode> run = Task.Run(() => host.RunAsync(signal.Token));
        await PollReadyAsync(s => s == HttpStatusCode.OK);
        _engine.ActiveConnections = 5;

        long started = TimeProvider.System.GetTimestamp();
        await signal.CancelAsync();
        ExitCode exit = await run.WaitAsync(s_bound);
        TimeSpan elapsed = TimeProvider.System.GetElapsedTime(started);

        exit.Should().Be(ExitCode.Success);
        elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(350)).And.BeLessThan(TimeSpan.FromSeconds(4));
        _engine.RunCancelled.Should().BeTrue();
    }

    [Fact]
    public async Task RequestShutdown_Twice_StopsWithoutWaitingForTheDrain()
    {
        ProxyOptions options = _options with { DrainDuration = TimeSpan.FromMinutes(5) };
        using ProxyHost host = CreateHost(options);
        Task<ExitCode> run = Task.Run(() => host.RunAsync(CancellationToken.None));
        await PollReadyAsync(s => s == HttpStatusCode.OK);
        _engine.ActiveConnections = 1;

        host.RequestShutdown("SIGTERM");
        await Task.Delay(100);
        host.RequestShutdown("SIGTERM");
        ExitCode exit = await run.WaitAsync(s_bound);

        exit.Should().Be(ExitCode.Success);
    }

    [Fact]
    public async Task PostDrain_KeepsRunningButNotReady()
    {
        using ProxyHost host = CreateHost(_options);
        Task<ExitCode> run = Task.Run(() => host.RunAsync(CancellationToken.None));
        await PollReadyAsync(s => s == HttpStatusCode.OK);

        HttpResponseMessage drain = await _http.PostAsync(AdminUri("/drain"), null);
        (HttpStatusCode status, _) = await PollReadyAsync(s => s == HttpStatusCode.ServiceUnavailable);
        await Task.Delay(200);

        drain.StatusCode.Should().Be(HttpStatusCode.OK);
        status.Should().Be(HttpStatusCode.ServiceUnavailable);
        run.IsCompleted.Should().BeFalse();
        _engine.DrainScopes.Should().Equal(DrainScope.AllListeners);

        _engine.DrainDuration = TimeSpan.Zero;
        host.RequestShutdown("test");
        (await run.WaitAsync(s_bound)).Should().Be(ExitCode.Success);
    }

    [Fact]
    public async Task GetPrometheus_OnMetricsPort_ServesTextFormat()
    {
        using ProxyHost host = CreateHost(_options);
        Task<ExitCode> run = Task.Run(() => host.RunAsync(CancellationToken.None));
        await PollReadyAsync(s => s == HttpStatusCode.OK);

        HttpResponseMessage response = await _http.GetAsync(new Uri($"http://127.0.0.1:{_options.MetricsPort}/stats/prometheus"));
        string body = await response.Content.ReadAsStringAsync();
        HttpResponseMessage wrongPort = await _http.GetAsync(new Uri($"http://127.0.0.1:{_options.ReadinessPort}/stats/prometheus"));
        host.RequestShutdown("test");
        await run.WaitAsync(s_bound);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().Should().Be("text/plain; version=0.0.4; charset=utf-8");
        body.Should().Contain("capture_ready 1\n").And.Contain("capture_connections_accepted_total{direction=\"outbound\"} 0\n");
        wrongPort.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RunAsync_AdminPortInUse_ThrowsStartupExceptionNamingTheAddress()
    {
        using Socket squatter = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        squatter.Listen();
        int port = ((IPEndPoint)squatter.LocalEndPoint!).Port;
        using ProxyHost host = CreateHost(_options with { AdminEndpoint = new IPEndPoint(IPAddress.Loopback, port) });

        Func<Task> run = () => host.RunAsync(CancellationToken.None).WaitAsync(s_bound);

        (await run.Should().ThrowAsync<ProxyStartException>())
            .Which.Message.Should().Contain("cannot start the admin endpoints").And.Contain($"127.0.0.1:{port}");
        _engine.StartCalls.Should().Be(0);
    }

    [Fact]
    public async Task RunAsync_EngineCannotBind_PropagatesAndReleasesAdminPorts()
    {
        FakeRelayEngine failing = new() { StartFailure = new ProxyStartException("cannot listen on 0.0.0.0:15001: address already in use") };
        using ProxyHost host = new(_options, (_, _, _) => failing, NullLoggerFactory.Instance, new LogLevelSwitch(LogLevel.Information));

        Func<Task> run = () => host.RunAsync(CancellationToken.None).WaitAsync(s_bound);

        (await run.Should().ThrowAsync<ProxyStartException>()).Which.Message.Should().Contain("15001");
        using Socket rebind = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        rebind.Bind(new IPEndPoint(IPAddress.Loopback, _options.AdminEndpoint.Port));
        failing.Disposed.Should().BeTrue();
        host.Readiness.IsReady.Should().BeFalse();
    }

    [Fact]
    public async Task RunAsync_TproxyWithoutNetAdmin_SaysWhatIsMissing()
    {
        using ProxyHost host = new(_options with { Mode = InboundMode.Tproxy }, (_, _, _) => _engine,
            NullLoggerFactory.Instance, new LogLevelSwitch(LogLevel.Information), hasNetAdmin: () => false);

        Func<Task> run = () => host.RunAsync(CancellationToken.None);

        (await run.Should().ThrowAsync<ProxyStartException>()).Which.Message.Should()
            .StartWith("TPROXY mode needs CAP_NET_ADMIN").And.Contain("--mode REDIRECT");
        _engine.StartCalls.Should().Be(0);
    }

    [Fact]
    public async Task RunAsync_EngineRunFails_Throws()
    {
        _engine.RunFailure = new InvalidOperationException("epoll_wait failed");
        using ProxyHost host = CreateHost(_options);

        Func<Task> run = () => host.RunAsync(CancellationToken.None).WaitAsync(s_bound);

        await run.Should().ThrowAsync<InvalidOperationException>().WithMessage("epoll_wait failed");
        host.Readiness.State.Should().Be(ReadinessState.Stopped);
    }

    internal static int[] FreePorts(int count)
    {
        // Bind them all at once so the kernel hands out distinct ports, then release them for the server under test.
        List<Socket> sockets = [];
        try
        {
            for (int i = 0; i < count; i++)
            {
                Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Any, 0));
            }

            return [.. sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port)];
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    private ProxyHost CreateHost(ProxyOptions options)
    {
        _engine.DrainDuration = options.DrainDuration;
        return new(options, (_, _, _) => _engine, NullLoggerFactory.Instance, new LogLevelSwitch(LogLevel.Information));
    }

    private Uri AdminUri(string path) => new($"http://127.0.0.1:{_options.AdminEndpoint.Port}{path}");

    private async Task<(HttpStatusCode Status, string Body)> PollReadyAsync(Func<HttpStatusCode, bool> until)
    {
        Uri uri = new($"http://127.0.0.1:{_options.ReadinessPort}/healthz/ready");
        long started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                using HttpResponseMessage response = await _http.GetAsync(uri);
                if (until(response.StatusCode))
                {
                    return (response.StatusCode, await response.Content.ReadAsStringAsync());
                }
            }
            catch (HttpRequestException) when (TimeProvider.System.GetElapsedTime(started) < s_bound)
            {
                // Not listening yet.
            }

            TimeProvider.System.GetElapsedTime(started).Should().BeLessThan(s_bound, "readiness should change state in time");
            await Task.Delay(20);
        }
    }
}
