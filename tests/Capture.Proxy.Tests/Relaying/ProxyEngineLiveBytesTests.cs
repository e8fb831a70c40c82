using System.Diagnostics;
using System.Net.Sockets;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Tests.Relaying;

/// <summary>Bytes of open connections reach the events sink (and so the metrics) while they are open, each byte once.</summary>
public class ProxyEngineLiveBytesTests
{
    private static readonly TimeSpan Bound = EngineHarness.Bound;

    /// <summary>The loop's sweep runs at least once a second; a few seconds leave room for a machine busy with other tests.</summary>
    private static readonly TimeSpan ReportBound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Relay_LongLivedConnection_BytesReportedWhileOpen_AndExactlyOnceAfterClose()
    {
        const int up = (1024 * 1024) + 7;
        const int down = (2 * 1024 * 1024) + 3;
        const int echo = 10;
        using TestServer server = new(async s =>
        {
            await ReceiveExactlyAsync(s, up);
            await StreamHelpers.SendRandomAsync(s, down, seed: 2);
            byte[] buffer = new byte[1024];
            int read;
            while ((read = await s.ReceiveAsync(buffer)) > 0)
            {
                await s.SendAsync(buffer.AsMemory(0, read));
            }

            s.Shutdown(SocketShutdown.Send);
        });
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint); // default timeouts: a sweep every second
        using Socket client = await harness.ConnectAsync(harness.Outbound);

        await StreamHelpers.SendRandomAsync(client, up, seed: 1).WaitAsync(Bound);
        await ReceiveExactlyAsync(client, down).WaitAsync(Bound);
        Stopwatch sinceDelivered = Stopwatch.StartNew();
        await harness.Events.WaitRelayedAsync(up, down, ReportBound);
        TimeSpan firstReport = sinceDelivered.Elapsed;
        int closedWhileOpen = harness.Events.Closed.Count;
        (long Up, long Down, long Spliced, long Copied) open = Relayed(harness.Events);

        await client.SendAsync(new byte[echo]).WaitAsync(Bound);
        await ReceiveExactlyAsync(client, echo).WaitAsync(Bound);
        await harness.Events.WaitRelayedAsync(up + echo, down + echo, ReportBound);
        int closedAfterEcho = harness.Events.Closed.Count;
        long reportsWhileOpen = harness.Events.RelayReports;

        client.Shutdown(SocketShutdown.Send);
        (long rest, _) = await StreamHelpers.ReceiveAllAsync(client).WaitAsync(Bound);
        ConnectionSummary summary = (await harness.Events.WaitClosedAsync(1, Bound))[0];
        (long Up, long Down, long Spliced, long Copied) closed = Relayed(harness.Events);

        closedWhileOpen.Should().Be(0, $"the bytes were reported {firstReport.TotalMilliseconds:F0} ms after delivery, with the connection open");
        closedAfterEcho.Should().Be(0);
        open.Up.Should().Be(up);
        open.Down.Should().Be(down);
        (open.Spliced + open.Copied).Should().Be(up + down);
        reportsWhileOpen.Should().BeGreaterThanOrEqualTo(2, "the echo came after the first report and was reported on its own");
        rest.Should().Be(0);
        summary.EndReason.Should().Be(ConnectionEndReason.Completed);
        closed.Should().Be((up + echo, down + echo, summary.SplicedBytes, summary.CopiedBytes), "every byte is reported once, open or closed");
        summary.BytesUpstream.Should().Be(up + echo, "the summary keeps the connection's whole totals");
        summary.BytesDownstream.Should().Be(down + echo);
        harness.Events.BadRelayReports.Should().Be(0);
    }

    [Fact]
    public async Task Relay_ShortConnection_BytesReportedByTheCloseEqualTheSummary()
    {
        using TestServer server = new(async s =>
        {
            await ReceiveExactlyAsync(s, 5);
            await s.SendAsync("hello, world"u8.ToArray());
            s.Shutdown(SocketShutdown.Send);
            await StreamHelpers.ReceiveAllAsync(s);
        });
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint); // a sweep every second: this connection is over before one
        using Socket client = await harness.ConnectAsync(harness.Outbound);

        await client.SendAsync("hello"u8.ToArray()).WaitAsync(Bound);
        client.Shutdown(SocketShutdown.Send);
        (long length, _) = await StreamHelpers.ReceiveAllAsync(client).WaitAsync(Bound);
        ConnectionSummary summary = (await harness.Events.WaitClosedAsync(1, Bound))[0];

        length.Should().Be(12);
        summary.BytesUpstream.Should().Be(5);
        summary.BytesDownstream.Should().Be(12);
        Relayed(harness.Events).Should().Be((5L, 12L, summary.SplicedBytes, summary.CopiedBytes),
            "bytes not yet reported by a sweep are reported as the connection closes, before its summary");
        harness.Events.BadRelayReports.Should().Be(0);
    }

    [Fact]
    public async Task Sweep_IdleConnections_ReportNothingMoreAndAllocateNothing()
    {
        const int connections = 100;
        const int size = 100;
        using TestServer server = new(async s =>
        {
            byte[] buffer = new byte[size];
            int read;
            while ((read = await s.ReceiveAsync(buffer)) > 0)
            {
                await s.SendAsync(buffer.AsMemory(0, read));
            }
        });
        // A 40 ms connect timeout makes the sweep run every 5 ms (its floor); loopback connects take far less.
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint, o => o with { Workers = 1, ConnectTimeout = TimeSpan.FromMilliseconds(40) });
        List<Socket> clients = [];
        try
        {
            for (int i = 0; i < connections; i++)
            {
                Socket client = await harness.ConnectAsync(harness.Outbound);
                clients.Add(client);
                await client.SendAsync(new byte[size]).WaitAsync(Bound);
                await ReceiveExactlyAsync(client, size).WaitAsync(Bound);
            }

            await harness.Events.WaitRelayedAsync(connections * size, connections * size, ReportBound);
            await Task.Delay(50); // the loop samples its allocation counter once per wake-up: let it wake after the last report
            long reports = harness.Events.RelayReports;
            long allocated = harness.Engine.LoopAllocatedBytes;

            // About 100 sweeps over 100 idle connections: 10,000 connection-sweeps.
            await Task.Delay(500);

            harness.Events.RelayReports.Should().Be(reports, "connections that moved nothing are not reported");
            (harness.Engine.LoopAllocatedBytes - allocated).Should().BeLessThan(1024,
                "a sweep over idle connections allocates nothing (one object per connection-sweep would be hundreds of KB)");
            harness.Events.Closed.Should().BeEmpty();
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        await harness.Events.WaitClosedAsync(connections, Bound);
        harness.Events.RelayedUpstream.Should().Be(connections * size);
        harness.Events.RelayedDownstream.Should().Be(connections * size);
        harness.Events.BadRelayReports.Should().Be(0);
    }

    private static (long Up, long Down, long Spliced, long Copied) Relayed(RecordingEvents events) =>
        (events.RelayedUpstream, events.RelayedDownstream, events.RelayedSpliced, events.RelayedCopied);

    private static async Task ReceiveExactlyAsync(Socket socket, int length)
    {
        byte[] buffer = new byte[64 * 1024];
        int total = 0;
        while (total < length)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(0, Math.Min(buffer.Length, length - total)));
            if (read == 0)
            {
                throw new IOException($"the peer closed after {total} of {length} bytes");
            }

            total += read;
        }
    }
}
