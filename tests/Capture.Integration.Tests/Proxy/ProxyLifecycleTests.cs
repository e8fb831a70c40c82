using System.Net;
using System.Net.Sockets;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Proxy;

/// <summary>Start, stop and limits of the real process: drain on SIGTERM, clear startup failures, descriptor exhaustion.</summary>
public sealed class ProxyLifecycleTests
{
    [RequiresRootFact(Tools = ["setpriv"])]
    public async Task Sigterm_DuringTransfers_LetsThemFinishThenExitsZero()
    {
        using CaptureScenario scenario = await CaptureScenario.StartAsync(proxyArguments: ["--drain-duration", "5s"]);
        // A slow server: answers each connection with 10 chunks 200 ms apart, so transfers span the SIGTERM. It paces on
        // its own thread with blocking calls: in a full-suite run a thread-pool Task.Delay once woke seconds late, and
        // the transfers then outlasted the drain through no fault of the proxy (9 of 10 chunks sent in 5.4 s).
        using TestServer server = new(scenario.Peer, scenario.Topology.PeerIPv4, (socket, ct) => OnOwnThread(() =>
        {
            for (int i = 0; i < 10 && !ct.IsCancellationRequested; i++)
            {
                socket.Send(new byte[1000]);
                Thread.Sleep(200);
            }

            socket.Shutdown(SocketShutdown.Send);
        }));
        using CancellationTokenSource timeout = new(Clients.Bound);
        Socket[] clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => NamespaceSockets.ConnectAsync(scenario.Pod, server.EndPoint, timeout.Token)));
        // Each client closes once the reply has ended, so the connection is finished both ways (not half-open).
        Task<(string End, int Bytes)>[] transfers = [.. clients.Select(async c =>
        {
            (string End, int Bytes) result = await Clients.ReadUntilClosedAsync(c, TimeSpan.FromSeconds(15));
            c.Shutdown(SocketShutdown.Send);
            return result;
        })];
        await Task.Delay(400);

        long signalled = TimeProvider.System.GetTimestamp();
        scenario.Proxy.Signal("TERM");
        // The signal is handled asynchronously by the proxy: poll (bounded, well inside the 2 s the transfers still run).
        (int readyStatus, string readyBody) = await scenario.Proxy.GetAsync(15021, "/healthz/ready");
        while (readyStatus == 200 && TimeProvider.System.GetElapsedTime(signalled) < TimeSpan.FromSeconds(1))
        {
            await Task.Delay(20);
            (readyStatus, readyBody) = await scenario.Proxy.GetAsync(15021, "/healthz/ready");
        }

        (string End, int Bytes)[] results = await Task.WhenAll(transfers);
        ProcessResult exit = await scenario.Proxy.Process.WaitForExitAsync(TimeSpan.FromSeconds(15));
        TimeSpan elapsed = TimeProvider.System.GetElapsedTime(signalled);

        readyStatus.Should().Be(503, "readiness drops as soon as the drain starts (within a second of SIGTERM)");
        readyBody.Should().Be("draining\n");
        // The proxy's exit code and log say whether it drained, failed or was stopped, so they go into the message.
        results.Should().AllSatisfy(r => r.Should().Be(("eof", 10_000)), "every transfer finishes within the drain; the proxy said: {0}", exit);
        exit.ExitCode.Should().Be(0, exit.ToString());
        scenario.Proxy.Output.Should().Contain("Shutdown requested (SIGTERM)");
        scenario.Proxy.Output.Should().Contain("Stopped; 0 connections were still open", "every transfer finished within the drain");
        elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(4.5), "outbound stays captured for the whole drain duration, for an app that calls out while it stops")
            .And.BeLessThan(TimeSpan.FromSeconds(15), "the proxy exits on its own");
        foreach (Socket client in clients)
        {
            client.Dispose();
        }
    }

    /// <summary>Runs <paramref name="work"/> on a dedicated thread, out of the thread pool's reach.</summary>
    private static Task OnOwnThread(Action work)
    {
        TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Thread thread = new(() =>
        {
            try
            {
                work();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        { IsBackground = true, Name = "sigterm-test-server" };
        thread.Start();
        return done.Task;
    }

    [RequiresRootFact(Tools = ["setpriv"])]
    public async Task Sigterm_OutboundStillCapturedInboundRefusedReadiness503_UntilExit()
    {
        using CaptureScenario scenario = await CaptureScenario.StartAsync(proxyArguments: ["--drain-duration", "3s"]);
        using TestServer peerServer = new(scenario.Peer, scenario.Topology.PeerIPv4, TestServer.EchoAsync);
        using TestServer podServer = new(scenario.Pod, IPAddress.Any, TestServer.EchoAsync);
        IPEndPoint inbound = new(scenario.Topology.PodIPv4, podServer.EndPoint.Port);
        (await Clients.EchoAsync(scenario.Peer, inbound, "before")).Should().Be("before");

        long signalled = TimeProvider.System.GetTimestamp();
        scenario.Proxy.Signal("TERM");
        (int readyStatus, _) = await scenario.Proxy.GetAsync(15021, "/healthz/ready");
        while (readyStatus == 200 && TimeProvider.System.GetElapsedTime(signalled) < TimeSpan.FromSeconds(1))
        {
            await Task.Delay(20);
            (readyStatus, _) = await scenario.Proxy.GetAsync(15021, "/healthz/ready");
        }

        await Task.Delay(300); // the loops close the inbound listeners on their next turn
        // Before the fix both listeners closed on SIGTERM: the app's outbound calls got ECONNREFUSED while it shut down.
        string outbound = await Clients.EchoAsync(scenario.Pod, peerServer.EndPoint, "outbound during drain");
        Func<Task> inboundCall = () => Clients.EchoAsync(scenario.Peer, inbound, "inbound during drain");
        bool stillRunning = !scenario.Proxy.Process.HasExited;

        readyStatus.Should().Be(503);
        stillRunning.Should().BeTrue("the drain lasts 3 s");
        outbound.Should().Be("outbound during drain", "outbound stays captured and relayed until the process exits");
        await inboundCall.Should().ThrowAsync<SocketException>("inbound is refused once the drain starts");
        ProcessResult exit = await scenario.Proxy.Process.WaitForExitAsync(TimeSpan.FromSeconds(15));
        exit.ExitCode.Should().Be(0, exit.ToString());
        peerServer.Clients.Should().HaveCount(1, "the outbound call reached the peer through the proxy");
    }

    [RequiresRootFact(Tools = ["setpriv"])]
    public async Task Sigterm_ConnectionOutlivesTheDrain_IsClosedAtTheDeadlineAndExitIsZero()
    {
        using CaptureScenario scenario = await CaptureScenario.StartAsync(proxyArguments: ["--drain-duration", "1s"]);
        using TestServer server = new(scenario.Peer, scenario.Topology.PeerIPv4, (socket, ct) => Task.Delay(Timeout.Infinite, ct));
        using CancellationTokenSource timeout = new(Clients.Bound);
        using Socket client = await NamespaceSockets.ConnectAsync(scenario.Pod, server.EndPoint, timeout.Token);
        await ProxyTrafficTests.WaitForMetricAsync(scenario.Proxy, "capture_upstream_connected_total", 1);

        long signalled = TimeProvider.System.GetTimestamp();
        scenario.Proxy.Signal("TERM");
        (string end, _) = await Clients.ReadUntilClosedAsync(client, TimeSpan.FromSeconds(10));
        ProcessResult exit = await scenario.Proxy.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        TimeSpan elapsed = TimeProvider.System.GetElapsedTime(signalled);

        end.Should().BeOneOf("reset", "eof");
        exit.ExitCode.Should().Be(0, exit.ToString());
        elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(900)).And.BeLessThan(TimeSpan.FromSeconds(4));
    }

    [RequiresRootFact(Tools = ["setpriv", "prlimit"])]
    public async Task DescriptorLimitBelowTheLoad_RefusesWhatItMust_KeepsServing_AndRecovers()
    {
        const int Limit = 256;
        const int Load = 200; // 200 connections need 400+ descriptors in the proxy: well past the limit
        using CaptureScenario scenario = await CaptureScenario.StartAsync(nofile: Limit);
        using TestServer server = new(scenario.Peer, scenario.Topology.PeerIPv4, TestServer.EchoAsync);
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));

        // Hold many connections open (the echo server keeps each until the client shuts down its side).
        Socket[] held = NamespaceSockets.CreateMany(scenario.Pod, AddressFamily.InterNetwork, Load);
        try
        {
            // A connection the proxy must refuse is reset as soon as it is accepted; the client may see that reset
            // already on connect. Either way it counts as not served.
            bool[] served = await Task.WhenAll(held.Select(c => ConnectAndPingAsync(c, server.EndPoint, timeout.Token)));
            // The relay stops accepting short of the limit, so the probes and the scrape still get a descriptor.
            (int readyStatus, _) = await scenario.Proxy.GetAsync(15021, "/healthz/ready");
            string saturated = await scenario.Proxy.ScrapeAsync();

            served.Count(ok => ok).Should().BeGreaterThan(20, "the proxy keeps serving what fits under the limit");
            served.Count(ok => !ok).Should().BeGreaterThan(0, "the load is beyond the descriptor limit");
            (ProxyProcess.Metric(saturated, "capture_accept_failures_total", "cause=\"resource_exhausted\"")
                + ProxyProcess.Metric(saturated, "capture_connections_failed_total", "cause=\"resource_exhausted\""))
                .Should().BeGreaterThan(0, "running out of descriptors is counted");
            readyStatus.Should().Be(200, "readiness still answers with every held connection open");
            (await scenario.Proxy.WaitForOutputAsync("near the RLIMIT_NOFILE limit")).Should().Contain("near the RLIMIT_NOFILE limit");
            scenario.Proxy.Process.HasExited.Should().BeFalse();
        }
        finally
        {
            foreach (Socket socket in held)
            {
                socket.Dispose();
            }
        }

        // Once the load is gone, new connections work again.
        await ProxyTrafficTests.WaitForMetricAsync(scenario.Proxy, "capture_connections_active", 0);
        string reply = await RetryAsync(() => Clients.EchoAsync(scenario.Pod, server.EndPoint, "recovered"), TimeSpan.FromSeconds(10));
        reply.Should().Be("recovered");
    }

    [RequiresRootFact(Tools = ["setpriv", "prlimit"])]
    public async Task DescriptorLimitOf100_ExitsOneSayingTheLimitAndTheMinimum()
    {
        using TestNamespace pod = TestNamespace.Create("hphnofile");
        pod.Ip("link", "set", "lo", "up").EnsureSuccess();

        ProcessResult result = await ProxyProcess.RunToExitAsync(pod, [], TimeSpan.FromSeconds(30), nofile: 100);

        // Before: "Unexpected failure; this is a bug ... Could not load file or assembly" (exit 70).
        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Trim().Should().StartWith("capture-proxy: the open-file limit (ulimit -n, RLIMIT_NOFILE) is 100")
            .And.Contain("at least 256").And.NotContain("\n");
        result.Stdout.Should().NotContain("this is a bug");
    }

    [RequiresRootFact(Tools = ["setpriv"])]
    public async Task HupQuitUsr1Usr2_AreLoggedAndIgnored_TrafficKeepsFlowing()
    {
        using CaptureScenario scenario = await CaptureScenario.StartAsync();
        using TestServer server = new(scenario.Peer, scenario.Topology.PeerIPv4, TestServer.EchoAsync);

        foreach (string signal in new[] { "HUP", "QUIT", "USR1", "USR2" })
        {
            scenario.Proxy.Signal(signal);
        }

        await Task.Delay(500);
        // Before: SIGHUP's default action killed the proxy at once and reset every connection.
        scenario.Proxy.Process.HasExited.Should().BeFalse(scenario.Proxy.Output);
        (await Clients.EchoAsync(scenario.Pod, server.EndPoint, "still here")).Should().Be("still here");
        (int ready, _) = await scenario.Proxy.GetAsync(15021, "/healthz/ready");
        ready.Should().Be(200);
        string[] logged = ["Ignoring SIGHUP", "Ignoring SIGQUIT", "Ignoring SIGUSR1", "Ignoring SIGUSR2"];
        string output = await scenario.Proxy.WaitForOutputAsync(logged);
        foreach (string line in logged)
        {
            output.Should().Contain(line);
        }
    }

    [RequiresRootFact(Tools = ["setpriv"])]
    public async Task PortInUse_ExitsOneWithOneClearLine()
    {
        using TestNamespace pod = TestNamespace.Create("hphbusy");
        pod.Ip("link", "set", "lo", "up").EnsureSuccess();
        using Socket squatter = NamespaceSockets.Listen(pod, IPAddress.Any, 15001);

        ProcessResult result = await RunToExitAsync(pod, []);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("capture-proxy: ").And.Contain("15001");
        result.Stderr.Should().NotContain("   at ", "a port in use is not a bug: no stack trace");
    }

    [RequiresRootFact(Tools = ["setpriv"])]
    public async Task TproxyWithoutNetAdmin_ExitsOneSayingWhatIsMissing()
    {
        using TestNamespace pod = TestNamespace.Create("hphcap");
        pod.Ip("link", "set", "lo", "up").EnsureSuccess();

        ProcessResult result = await RunToExitAsync(pod, ["--mode", "TPROXY"]);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Trim().Should().StartWith("capture-proxy: TPROXY mode needs CAP_NET_ADMIN").And.NotContain("\n");
    }

    [RequiresRootFact(Tools = ["setpriv"])]
    public async Task RedirectMode_RunsAsUid1337WithNoCapabilities()
    {
        using CaptureScenario scenario = await CaptureScenario.StartAsync();

        string[] status = File.ReadAllLines($"/proc/{scenario.Proxy.Process.Id}/status");

        status.Should().Contain(l => l.StartsWith("Uid:\t1337\t1337\t1337\t1337", StringComparison.Ordinal));
        status.Should().Contain(l => l.StartsWith("Gid:\t1337\t1337\t1337\t1337", StringComparison.Ordinal));
        status.Should().Contain("CapEff:\t0000000000000000");
        (int status200, _) = await scenario.Proxy.GetAsync(15021, "/healthz/ready");
        status200.Should().Be(200);
    }

    private static Task<ProcessResult> RunToExitAsync(TestNamespace pod, string[] arguments) =>
        ProxyProcess.RunToExitAsync(pod, arguments, TimeSpan.FromSeconds(30));

    private static async Task<bool> ConnectAndPingAsync(Socket socket, IPEndPoint server, CancellationToken cancellationToken)
    {
        try
        {
            await socket.ConnectAsync(server, cancellationToken);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
        {
            return false;
        }

        return await PingAsync(socket, TimeSpan.FromSeconds(5));
    }

    private static async Task<bool> PingAsync(Socket socket, TimeSpan timeout)
    {
        using CancellationTokenSource cancellation = new(timeout);
        try
        {
            byte[] ping = [1, 2, 3, 4];
            await socket.SendAsync(ping, SocketFlags.None, cancellation.Token);
            byte[] pong = new byte[4];
            int got = 0;
            while (got < pong.Length)
            {
                int read = await socket.ReceiveAsync(pong.AsMemory(got), SocketFlags.None, cancellation.Token);
                if (read == 0)
                {
                    return false;
                }

                got += read;
            }

            return pong.AsSpan().SequenceEqual(ping);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action, TimeSpan within)
    {
        long started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException
                && TimeProvider.System.GetElapsedTime(started) < within)
            {
                await Task.Delay(200);
            }
        }
    }
}
