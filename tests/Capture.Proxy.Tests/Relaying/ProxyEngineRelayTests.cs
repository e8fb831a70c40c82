using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Tests.Relaying;

public class ProxyEngineRelayTests
{
    private static readonly TimeSpan Bound = EngineHarness.Bound;

    [Theory]
    [InlineData(0, 512 * 1024)]          // splice from the first byte, the default read batch
    [InlineData(16 * 1024, 512 * 1024)]  // copy probe, then splice
    [InlineData(16 * 1024, 0)]           // read batching off: the kernel's per-packet wake-ups
    public async Task Relay_SeveralMiBBothWaysAtOnce_ArriveIntact(int copyThreshold, int readBatch)
    {
        const long size = 8 * 1024 * 1024;
        byte[]? serverSentHash = null;
        TaskCompletionSource<(long Length, byte[] Hash)> serverReceivedTask = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using TestServer server = new(async s =>
        {
            Task<(long, byte[])> receive = StreamHelpers.ReceiveAllAsync(s);
            serverSentHash = await StreamHelpers.SendRandomAsync(s, size, seed: 2);
            s.Shutdown(SocketShutdown.Send);
            serverReceivedTask.SetResult(await receive);
        });
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint, o => o with { CopyThreshold = copyThreshold, ReadBatch = readBatch });
        using Socket client = await harness.ConnectAsync(harness.Outbound);

        Task<(long Length, byte[] Hash)> clientReceive = StreamHelpers.ReceiveAllAsync(client);
        byte[] clientSentHash = await StreamHelpers.SendRandomAsync(client, size, seed: 1).WaitAsync(Bound);
        client.Shutdown(SocketShutdown.Send);
        (long length, byte[] hash) = await clientReceive.WaitAsync(Bound);
        ConnectionSummary[] closed = await harness.Events.WaitClosedAsync(1, Bound);
        (long Length, byte[] Hash) serverReceived = await serverReceivedTask.Task.WaitAsync(Bound);

        length.Should().Be(size);
        hash.Should().Equal(serverSentHash);
        serverReceived.Length.Should().Be(size);
        serverReceived.Hash.Should().Equal(clientSentHash);
        closed[0].EndReason.Should().Be(ConnectionEndReason.Completed);
        closed[0].BytesUpstream.Should().Be(size);
        closed[0].BytesDownstream.Should().Be(size);
        closed[0].SplicedBytes.Should().BeGreaterThan(size, "bulk goes through pipes");
        (closed[0].SplicedBytes + closed[0].CopiedBytes).Should().Be(2 * size);
        harness.Engine.Snapshot().PipesLeased.Should().Be(0);
        if (readBatch == 0)
        {
            harness.Engine.Snapshot().ReadBatchesStarted.Should().Be(0);
        }
    }

    [Fact]
    public async Task Relay_BulkBehindASlowReader_GrowsAPipeAndArrivesIntact()
    {
        const long size = 16 * 1024 * 1024;
        TaskCompletionSource<(long Length, byte[] Hash)> serverReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using TestServer server = new(async s =>
        {
            // Not reading at first lets a backlog of several MiB build up in front of the proxy: once the reader
            // starts, the proxy's reads run on without a pause, which is what makes a direction bulk.
            await Task.Delay(200);
            serverReceived.SetResult(await StreamHelpers.ReceiveAllAsync(s));
        });
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint);
        using Socket client = await harness.ConnectAsync(harness.Outbound);

        byte[] sentHash = await StreamHelpers.SendRandomAsync(client, size, seed: 7).WaitAsync(Bound);
        client.Shutdown(SocketShutdown.Send);
        (long length, byte[] hash) = await serverReceived.Task.WaitAsync(Bound);
        ConnectionSummary[] closed = await harness.Events.WaitClosedAsync(1, Bound);

        length.Should().Be(size);
        hash.Should().Equal(sentHash);
        closed[0].EndReason.Should().Be(ConnectionEndReason.Completed);
        EngineSnapshot pipes = harness.Engine.Snapshot();
        pipes.PipesGrown.Should().BeGreaterThan(0, "the bulk direction grew its pipe, which went back to the pool empty");
        pipes.PipesLeased.Should().Be(0);
    }

    [Fact]
    public async Task Relay_ManyMoreBytes_AllocateNothingMoreOnTheLoops()
    {
        using TestServer server = new(async s =>
        {
            await StreamHelpers.ReceiveAllAsync(s);
            s.Shutdown(SocketShutdown.Send);
        });
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint, o => o with { Workers = 1 });
        await TransferAsync(harness, 1024 * 1024, seed: 1); // warm-up: first-time allocations (pool stacks, lazy statics)

        long small = await LoopAllocationsAsync(harness, 1024 * 1024, seed: 2);
        long large = await LoopAllocationsAsync(harness, 64 * 1024 * 1024, seed: 3);

        // Each connection costs the same few objects whatever it carries: 63 MiB more may not cost a byte more,
        // give or take one connection's worth of slack for a list or stack that grew.
        (large - small).Should().BeLessThan(2048, $"a 1 MiB connection allocated {small} bytes on the loop and a 64 MiB one {large}");
    }

    private static async Task<long> LoopAllocationsAsync(EngineHarness harness, long size, int seed)
    {
        long before = harness.Engine.LoopAllocatedBytes;
        await TransferAsync(harness, size, seed);
        await Task.Delay(50); // the loop's counter is sampled once per wake-up; let it wake after the close
        return harness.Engine.LoopAllocatedBytes - before;
    }

    private static async Task TransferAsync(EngineHarness harness, long size, int seed)
    {
        int closedBefore = harness.Events.Closed.Count;
        using Socket client = await harness.ConnectAsync(harness.Outbound);
        await StreamHelpers.SendRandomAsync(client, size, seed).WaitAsync(Bound);
        client.Shutdown(SocketShutdown.Send);
        await StreamHelpers.ReceiveAllAsync(client).WaitAsync(Bound);
        await harness.Events.WaitClosedAsync(closedBefore + 1, Bound);
    }

    [Fact]
    public async Task Relay_ClientShutsWrite_StillGetsTheWholeReply()
    {
        const long replySize = 3 * 1024 * 1024;
        byte[]? replyHash = null;
        using TestServer server = new(async s =>
        {
            (long length, _) = await StreamHelpers.ReceiveAllAsync(s); // the request, up to the client's FIN
            length.Should().Be(5);
            replyHash = await StreamHelpers.SendRandomAsync(s, replySize, seed: 3);
        });
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint);
        using Socket client = await harness.ConnectAsync(harness.Outbound);

        await client.SendAsync("hello"u8.ToArray()).WaitAsync(Bound);
        client.Shutdown(SocketShutdown.Send);
        (long length, byte[] hash) = await StreamHelpers.ReceiveAllAsync(client).WaitAsync(Bound);

        length.Should().Be(replySize);
        hash.Should().Equal(replyHash);
        ConnectionSummary summary = (await harness.Events.WaitClosedAsync(1, Bound))[0];
        summary.EndReason.Should().Be(ConnectionEndReason.Completed);
        summary.BytesUpstream.Should().Be(5);
        summary.CopiedBytes.Should().BeGreaterThanOrEqualTo(5, "a 5-byte request is cheaper to copy than to splice");
    }

    [Fact]
    public async Task Relay_ServerResets_ClientSeesReset()
    {
        using TestServer server = new(async s =>
        {
            byte[] buffer = new byte[16];
            await s.ReceiveAsync(buffer);
            s.LingerState = new LingerOption(true, 0);
            s.Close(); // RST
        });
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint);
        using Socket client = await harness.ConnectAsync(harness.Outbound);

        await client.SendAsync("ping"u8.ToArray()).WaitAsync(Bound);
        Func<Task> receive = async () =>
        {
            byte[] buffer = new byte[16];
            while (await client.ReceiveAsync(buffer) > 0)
            {
            }
        };

        (await receive.Should().ThrowAsync<SocketException>().WaitAsync(Bound)).Which.SocketErrorCode.Should().Be(SocketError.ConnectionReset);
        ConnectionSummary summary = (await harness.Events.WaitClosedAsync(1, Bound))[0];
        summary.EndReason.Should().Be(ConnectionEndReason.UpstreamReset);
    }

    [Fact]
    public async Task Relay_ClientResets_ServerSeesReset()
    {
        TaskCompletionSource<SocketError> serverSaw = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using TestServer server = new(async s =>
        {
            byte[] buffer = new byte[16];
            try
            {
                while (await s.ReceiveAsync(buffer) > 0)
                {
                }

                serverSaw.TrySetResult(SocketError.Success);
            }
            catch (SocketException ex)
            {
                serverSaw.TrySetResult(ex.SocketErrorCode);
            }
        });
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint);
        Socket client = await harness.ConnectAsync(harness.Outbound);
        await client.SendAsync("ping"u8.ToArray()).WaitAsync(Bound);
        await harness.Events.WaitConnectedAsync(1, Bound);

        client.LingerState = new LingerOption(true, 0);
        client.Close();

        (await serverSaw.Task.WaitAsync(Bound)).Should().Be(SocketError.ConnectionReset);
        (await harness.Events.WaitClosedAsync(1, Bound))[0].EndReason.Should().Be(ConnectionEndReason.ClientReset);
    }

    [Fact]
    public async Task Connect_DestinationRefuses_ClientIsResetPromptly()
    {
        IPEndPoint closed = ClosedPort();
        await using EngineHarness harness = EngineHarness.Start(closed);
        DateTime started = DateTime.UtcNow;

        Func<Task> receive = () => ConnectAndReceiveAsync(harness, harness.Outbound);

        (await receive.Should().ThrowAsync<SocketException>().WaitAsync(Bound)).Which.SocketErrorCode.Should().Be(SocketError.ConnectionReset);
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(2));
        ConnectionSummary summary = (await harness.Events.WaitClosedAsync(1, Bound))[0];
        summary.EndReason.Should().Be(ConnectionEndReason.ConnectFailed);
        harness.Events.Failed.Should().ContainSingle().Which.Cause.Should().Be(ConnectFailure.Refused);
        harness.Events.Failed.Single().Attempts.Should().Be(1, "a refusal is final, not retried");
    }

    [Fact]
    public async Task Connect_DestinationNeverAnswers_TimesOut()
    {
        // A listener whose accept queue is full drops further SYNs, so the handshake hangs like a blackholed host.
        using Socket full = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        full.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        full.Listen(0);
        List<Socket> fillers = [];
        for (int i = 0; i < 4; i++)
        {
            Socket filler = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try
            {
                filler.Connect(full.LocalEndPoint!);
            }
            catch (SocketException)
            {
                // in progress (or dropped): either way it occupies the queue or proves it is full
            }

            fillers.Add(filler);
        }

        await Task.Delay(100);
        await using EngineHarness harness = EngineHarness.Start((IPEndPoint)full.LocalEndPoint!, o => o with { ConnectTimeout = TimeSpan.FromMilliseconds(300) });
        using Socket client = await harness.ConnectAsync(harness.Outbound);

        ConnectionSummary summary = (await harness.Events.WaitClosedAsync(1, Bound))[0];

        summary.EndReason.Should().Be(ConnectionEndReason.ConnectFailed);
        harness.Events.Failed.Single().Cause.Should().Be(ConnectFailure.Timeout);
        summary.Duration.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250)).And.BeLessThan(TimeSpan.FromSeconds(3));
        fillers.ForEach(f => f.Dispose());
    }

    [Fact]
    public async Task Accept_DestinationIsOwnListener_RefusedAsLoop()
    {
        await using EngineHarness harness = EngineHarness.Start(destination: null);
        harness.Resolver.Destination = harness.Outbound;

        Func<Task> receive = () => ConnectAndReceiveAsync(harness, harness.Outbound);

        await receive.Should().ThrowAsync<SocketException>().WaitAsync(Bound);
        ConnectionSummary summary = (await harness.Events.WaitClosedAsync(1, Bound))[0];
        summary.EndReason.Should().Be(ConnectionEndReason.LoopRefused);
        harness.Events.Loops.Should().ContainSingle();
        harness.Events.Accepted.Should().ContainSingle("the refused connection never reached a second accept");
    }

    [Fact]
    public async Task Accept_NoOriginalDestination_Reset()
    {
        await using EngineHarness harness = EngineHarness.Start(destination: null);

        Func<Task> receive = () => ConnectAndReceiveAsync(harness, harness.Outbound);

        await receive.Should().ThrowAsync<SocketException>().WaitAsync(Bound);
        (await harness.Events.WaitClosedAsync(1, Bound))[0].EndReason.Should().Be(ConnectionEndReason.NoOriginalDestination);
    }

    [Fact]
    public async Task Relay_ManyConcurrentConnections_AllEchoIntact()
    {
        const int connections = 200;
        const int size = 64 * 1024;
        using TestServer server = new(async s =>
        {
            byte[] buffer = new byte[16 * 1024];
            int read;
            while ((read = await s.ReceiveAsync(buffer)) > 0)
            {
                await s.SendAsync(buffer.AsMemory(0, read));
            }
        });
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint);

        async Task<bool> OneAsync(int seed)
        {
            using Socket client = await harness.ConnectAsync(harness.Outbound);
            Task<(long Length, byte[] Hash)> receive = StreamHelpers.ReceiveAllAsync(client);
            byte[] sent = await StreamHelpers.SendRandomAsync(client, size, seed);
            client.Shutdown(SocketShutdown.Send);
            (long length, byte[] hash) = await receive;
            return length == size && hash.AsSpan().SequenceEqual(sent);
        }

        Task<bool[]> all = Task.WhenAll(Enumerable.Range(0, connections).Select(OneAsync));
        if (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))) != all)
        {
            throw new TimeoutException("stalled connections:" + Environment.NewLine + harness.Engine.DescribeConnections());
        }

        bool[] results = await all;

        results.Should().AllSatisfy(ok => ok.Should().BeTrue());
        ConnectionSummary[] closed = await harness.Events.WaitClosedAsync(connections, Bound);
        closed.Should().AllSatisfy(s => s.EndReason.Should().Be(ConnectionEndReason.Completed));
        harness.Engine.ActiveConnections.Should().Be(0);
        server.Failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Relay_IdleLongerThanIdleTimeout_Closed()
    {
        using TestServer server = new(async s => await s.ReceiveAsync(new byte[16]));
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint, o => o with { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        using Socket client = await harness.ConnectAsync(harness.Outbound);
        await harness.Events.WaitConnectedAsync(1, Bound);

        int read = await client.ReceiveAsync(new byte[16]).WaitAsync(Bound);

        read.Should().Be(0);
        ConnectionSummary summary = (await harness.Events.WaitClosedAsync(1, Bound))[0];
        summary.EndReason.Should().Be(ConnectionEndReason.IdleTimeout);
        summary.Duration.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Inbound_Redirect_UpstreamComesFromPassthroughSource()
    {
        using TestServer server = new(async s => await s.SendAsync("hi"u8.ToArray()));
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint);
        using Socket client = await harness.ConnectAsync(harness.Inbound);

        (long length, _) = await StreamHelpers.ReceiveAllAsync(client).WaitAsync(Bound);
        client.Shutdown(SocketShutdown.Send);

        length.Should().Be(2);
        ((IPEndPoint)server.RemoteEndPoints.Single()).Address.Should().Be(IPAddress.Parse("127.0.0.6"));
        (await harness.Events.WaitClosedAsync(1, Bound))[0].Info.Direction.Should().Be(TrafficDirection.Inbound);
    }

    [Fact]
    public async Task Relay_SmallPingPong_IsCopiedAndPromptWithoutCorking()
    {
        using TestServer server = new(async s =>
        {
            byte[] buffer = new byte[1];
            while (await s.ReceiveAsync(buffer) == 1)
            {
                await s.SendAsync(buffer);
            }
        });
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint);
        using Socket client = await harness.ConnectAsync(harness.Outbound);
        byte[] one = [42];
        System.Diagnostics.Stopwatch watch = System.Diagnostics.Stopwatch.StartNew();

        for (int i = 0; i < 200; i++)
        {
            await client.SendAsync(one).WaitAsync(Bound);
            (await client.ReceiveAsync(one).WaitAsync(Bound)).Should().Be(1);
        }

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "200 round trips must not wait on a cork or Nagle timer");
        client.Shutdown(SocketShutdown.Send);
        await StreamHelpers.ReceiveAllAsync(client).WaitAsync(Bound);
        ConnectionSummary summary = (await harness.Events.WaitClosedAsync(1, Bound))[0];
        summary.CopiedBytes.Should().Be(400);
        summary.SplicedBytes.Should().Be(0);
    }

    /// <summary>
    /// A refusal (RST right after accept) can reach the client before its connect reports success, so connect and
    /// first receive are one act: either throws the reset.
    /// </summary>
    private static async Task ConnectAndReceiveAsync(EngineHarness harness, IPEndPoint endPoint)
    {
        using Socket client = await harness.ConnectAsync(endPoint);
        await client.ReceiveAsync(new byte[16]);
    }

    private static IPEndPoint ClosedPort()
    {
        using Socket probe = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)probe.LocalEndPoint!; // bound, never listening: connections are refused
    }
}
