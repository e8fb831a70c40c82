using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Engine;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Relaying;

public class ProxyEngineLifecycleTests
{
    private static readonly TimeSpan Bound = EngineHarness.Bound;

    [Fact]
    public async Task BeginDrain_OpenTransferFinishes_NewConnectionsRefused()
    {
        TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using TestServer server = new(async s =>
        {
            await release.Task;
            await StreamHelpers.SendRandomAsync(s, 1024 * 1024, seed: 9);
        });
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint, o => o with { DrainDuration = TimeSpan.FromSeconds(10) });
        using Socket client = await harness.ConnectAsync(harness.Outbound);
        client.Shutdown(SocketShutdown.Send);
        await harness.Events.WaitConnectedAsync(1, Bound);

        harness.Engine.BeginDrain();
        await WaitUntilAsync(() => !CanConnect(harness.Outbound));
        release.SetResult();
        (long length, _) = await StreamHelpers.ReceiveAllAsync(client).WaitAsync(Bound);

        length.Should().Be(1024 * 1024);
        harness.Engine.IsListening.Should().BeFalse();
        (await harness.Events.WaitClosedAsync(1, Bound)).Single().EndReason.Should().Be(ConnectionEndReason.Completed);
        harness.Engine.ActiveConnections.Should().Be(0);
        harness.Engine.Completion.IsCompleted.Should().BeFalse("the loops run until the host stops them");
    }

    [Fact]
    public async Task BeginDrain_ConnectionOutlivesDrainDuration_IsReset()
    {
        using TestServer server = new(async s => await s.ReceiveAsync(new byte[1]));
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint, o => o with { DrainDuration = TimeSpan.FromMilliseconds(300) });
        using Socket client = await harness.ConnectAsync(harness.Outbound);
        await harness.Events.WaitConnectedAsync(1, Bound);

        harness.Engine.BeginDrain();
        Func<Task> receive = async () => await client.ReceiveAsync(new byte[1]);

        await receive.Should().ThrowAsync<SocketException>().WaitAsync(Bound);
        (await harness.Events.WaitClosedAsync(1, Bound)).Single().EndReason.Should().Be(ConnectionEndReason.Drained);
        harness.Engine.Stop();
        await harness.Engine.Completion.WaitAsync(Bound);
    }

    [Fact]
    public async Task RunAsync_Cancelled_StopsAndResetsOpenConnections()
    {
        using TestServer server = new(async s => await s.ReceiveAsync(new byte[1]));
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint);
        using CancellationTokenSource cancel = new();
        Task run = harness.Engine.RunAsync(cancel.Token);
        using Socket client = await harness.ConnectAsync(harness.Outbound);
        await harness.Events.WaitConnectedAsync(1, Bound);

        await cancel.CancelAsync();

        await run.WaitAsync(Bound);
        (await harness.Events.WaitClosedAsync(1, Bound)).Single().EndReason.Should().Be(ConnectionEndReason.Drained);
    }

    [Fact]
    public void Start_InvalidOptions_ThrowsWithEveryProblem()
    {
        ProxyOptions options = new() { Workers = 0, PipeSize = 1, OutboundPort = 15001, InboundPort = 15001 };
        ProxyEngine engine = new(options, NullProxyEvents.Instance, NullLoggerFactory.Instance);

        Action act = engine.Start;

        act.Should().Throw<ProxyStartException>().Which.Message.Should()
            .Contain("--workers").And.Contain("--pipe-size").And.Contain("are both 15001");
    }

    [Fact]
    public async Task Inbound_PassthroughSourceNotLocal_RetriedThenFailsAsAddressNotAvailable()
    {
        using TestServer server = new(_ => Task.CompletedTask);
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint, o => o with
        {
            InboundPassthroughSourceV4 = IPAddress.Parse("192.0.2.99"), // TEST-NET-1: never a local address
            ConnectRetries = 2,
            ConnectRetryDelay = TimeSpan.FromMilliseconds(10),
        });

        Func<Task> act = async () =>
        {
            using Socket client = await harness.ConnectAsync(harness.Inbound);
            await client.ReceiveAsync(new byte[1]);
        };

        await act.Should().ThrowAsync<SocketException>().WaitAsync(Bound);
        (await harness.Events.WaitClosedAsync(1, Bound)).Single().EndReason.Should().Be(ConnectionEndReason.ConnectFailed);
        var failure = harness.Events.Failed.Single();
        failure.Cause.Should().Be(ConnectFailure.AddressNotAvailable);
        failure.Attempts.Should().Be(3, "EADDRNOTAVAIL is transient: one attempt and two retries");
    }

    [Fact]
    public async Task Snapshot_ReportsActiveConnectionsAndListening()
    {
        using TestServer server = new(async s => await s.ReceiveAsync(new byte[1]));
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint);
        using Socket client = await harness.ConnectAsync(harness.Outbound);
        await harness.Events.WaitConnectedAsync(1, Bound);

        EngineSnapshot snapshot = harness.Engine.Snapshot();

        snapshot.ActiveConnections.Should().Be(1);
        snapshot.Listening.Should().BeTrue();
        snapshot.PipesLeased.Should().Be(0, "an idle connection holds no pipe");
    }

    private static bool CanConnect(IPEndPoint endPoint)
    {
        using Socket probe = new(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Connect(endPoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }

            await Task.Delay(10);
        }
    }
}
