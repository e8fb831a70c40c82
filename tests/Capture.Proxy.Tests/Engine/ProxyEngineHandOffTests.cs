using System.Net;
using System.Net.Sockets;
using System.Text;
using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Capture.Proxy.Tests.Relaying;

namespace Capture.Proxy.Tests.Engine;

public class ProxyEngineHandOffTests
{
    private static readonly TimeSpan Bound = EngineHarness.Bound;

    [Fact]
    public async Task HandOff_HandlerAnswers_EventsAndActiveCountCoverIt()
    {
        TaskCompletionSource finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
        DelegateHandler handler = new(async connection =>
        {
            using Socket socket = connection.TakeClientSocket();
            byte[] request = new byte[4];
            int read = await socket.ReceiveAsync(request);
            connection.Relayed(read, 0);
            await finish.Task;
            int sent = await socket.SendAsync(Encoding.ASCII.GetBytes("pong!"));
            connection.Relayed(0, sent);
            socket.Shutdown(SocketShutdown.Send);
            connection.Complete(ConnectionEndReason.Completed);
        });
        RouteOutbound router = new(handler);
        await using EngineHarness harness = EngineHarness.Start(new IPEndPoint(IPAddress.Loopback, 9), router: router);
        using Socket client = await harness.ConnectAsync(harness.Outbound);
        await client.SendAsync(Encoding.ASCII.GetBytes("ping"));
        await harness.Events.WaitRelayedAsync(4, 0, Bound);

        harness.Engine.ActiveConnections.Should().Be(1, "a handed-off connection counts as open until completed");
        finish.SetResult();
        (long length, _) = await StreamHelpers.ReceiveAllAsync(client).WaitAsync(Bound);
        ConnectionSummary closed = (await harness.Events.WaitClosedAsync(1, Bound)).Single();

        length.Should().Be(5);
        router.Seen.Should().ContainSingle().Which.Direction.Should().Be(TrafficDirection.Outbound);
        harness.Events.Accepted.Should().ContainSingle();
        closed.EndReason.Should().Be(ConnectionEndReason.Completed);
        closed.BytesUpstream.Should().Be(4);
        closed.BytesDownstream.Should().Be(5);
        closed.CopiedBytes.Should().Be(9);
        harness.Events.RelayedDownstream.Should().Be(5);
        harness.Events.BadRelayReports.Should().Be(0);
        harness.Engine.ActiveConnections.Should().Be(0);
        harness.Events.Connected.Should().BeEmpty("the loop did not connect upstream itself");
    }

    [Fact]
    public async Task HandOff_DrainDeadline_AbortsTheHandler()
    {
        DelegateHandler handler = new(async connection =>
        {
            using Socket socket = connection.TakeClientSocket();
            try
            {
                await socket.ReceiveAsync(new byte[1], connection.Aborted);
            }
            catch (OperationCanceledException)
            {
                socket.LingerState = new LingerOption(true, 0);
                connection.Complete(ConnectionEndReason.Drained);
            }
        });
        await using EngineHarness harness = EngineHarness.Start(new IPEndPoint(IPAddress.Loopback, 9),
            o => o with { DrainDuration = TimeSpan.FromMilliseconds(300) }, new RouteOutbound(handler));
        using Socket client = await harness.ConnectAsync(harness.Outbound);
        await WaitUntilAsync(() => harness.Engine.ActiveConnections == 1);

        harness.Engine.BeginDrain();
        harness.Engine.ActiveConnections.Should().Be(1, "draining waits for handed-off connections too");
        Func<Task> receive = async () => await client.ReceiveAsync(new byte[1]);

        await receive.Should().ThrowAsync<SocketException>().WaitAsync(Bound);
        (await harness.Events.WaitClosedAsync(1, Bound)).Single().EndReason.Should().Be(ConnectionEndReason.Drained);
        harness.Engine.ActiveConnections.Should().Be(0);
    }

    [Fact]
    public async Task HandOff_HandlerThrows_ClientResetAndReportedFailed()
    {
        DelegateHandler handler = new(_ => throw new InvalidOperationException("handler bug"), synchronous: true);
        await using EngineHarness harness = EngineHarness.Start(new IPEndPoint(IPAddress.Loopback, 9), router: new RouteOutbound(handler));
        // The reset can come as soon as the handshake is done, so connecting may already see it.
        Func<Task> receive = async () =>
        {
            using Socket client = await harness.ConnectAsync(harness.Outbound);
            await client.ReceiveAsync(new byte[1]);
        };

        await receive.Should().ThrowAsync<SocketException>().WaitAsync(Bound);
        (await harness.Events.WaitClosedAsync(1, Bound)).Single().EndReason.Should().Be(ConnectionEndReason.Failed);
        harness.Engine.ActiveConnections.Should().Be(0);
    }

    [Fact]
    public async Task HandOff_InboundNotRouted_IsRelayedByTheLoop()
    {
        using TestServer server = new(async s => await s.SendAsync(Encoding.ASCII.GetBytes("direct")));
        DelegateHandler handler = new(c => Task.CompletedTask);
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint, router: new RouteOutbound(handler));
        using Socket client = await harness.ConnectAsync(harness.Inbound);
        client.Shutdown(SocketShutdown.Send);

        (long length, _) = await StreamHelpers.ReceiveAllAsync(client).WaitAsync(Bound);

        length.Should().Be(6);
        harness.Events.Connected.Should().ContainSingle();
        handler.Calls.Should().Be(0);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the condition should hold within the bound");
            await Task.Delay(10);
        }
    }

    /// <summary>Hands every outbound connection to the handler; inbound passes through.</summary>
    private sealed class RouteOutbound(IConnectionHandler handler) : IUpstreamRouter
    {
        public List<ConnectionInfo> Seen { get; } = [];

        public UpstreamRoute Route(in ConnectionInfo connection)
        {
            if (connection.Direction != TrafficDirection.Outbound)
            {
                return UpstreamRoute.Passthrough;
            }

            lock (Seen)
            {
                Seen.Add(connection);
            }

            return UpstreamRoute.HandOff(handler);
        }
    }

    private sealed class DelegateHandler(Func<HandedOffConnection, Task> run, bool synchronous = false) : IConnectionHandler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Handle(HandedOffConnection connection)
        {
            Interlocked.Increment(ref _calls);
            if (synchronous)
            {
                run(connection);
                return;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    await run(connection);
                }
                finally
                {
                    connection.Complete(ConnectionEndReason.Failed, Errno.None); // no-op when the handler completed it
                }
            });
        }
    }
}
