using System.Net.Sockets;
using System.Security.Cryptography;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Tests.Relaying;

/// <summary>
/// Read batching (--read-batch): a fast bulk direction's source gets SO_RCVLOWAT, and the loop's deadline must still
/// deliver bytes that never make up a batch, since no FIN or further data will come to wake it.
/// </summary>
public class ReadBatchingTests
{
    private static readonly TimeSpan Bound = EngineHarness.Bound;

    [Fact]
    public async Task Batching_StreamPausesShortOfABatch_TailStillArrivesAndTheConnectionGoesOn()
    {
        const int bulk = 16 * 1024 * 1024;
        const int tail = 1000;
        TaskCompletionSource<byte[]> serverHash = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using TestServer server = new(async s =>
        {
            serverHash.SetResult(await ReceiveExactlyAsync(s, bulk + tail));
            await s.SendAsync("k"u8.ToArray());          // the reply the client waits for, with its FIN still unsent
            byte[] one = new byte[1];
            (await s.ReceiveAsync(one)).Should().Be(1);  // and the connection still carries a small message after it
            s.Shutdown(SocketShutdown.Send);
            await StreamHelpers.ReceiveAllAsync(s);
        });
        // A 64 KiB batch and a lenient wait, so that batching starts even on a loaded test machine.
        await using EngineHarness harness = EngineHarness.Start(server.EndPoint,
            o => o with { Workers = 1, ReadBatch = 64 * 1024, ReadBatchMaxWait = TimeSpan.FromMilliseconds(100) });
        using Socket client = await harness.ConnectAsync(harness.Outbound);

        using IncrementalHash sent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sent.AppendData(await SendAllAsync(client, bulk, seed: 3));
        await Task.Delay(50); // a pause mid-stream: what is queued then is short of a batch, and nothing else comes
        sent.AppendData(await SendAllAsync(client, tail, seed: 4));
        byte[] reply = new byte[1];
        int got = await client.ReceiveAsync(reply).WaitAsync(Bound);
        await client.SendAsync("z"u8.ToArray());
        client.Shutdown(SocketShutdown.Send);
        await StreamHelpers.ReceiveAllAsync(client).WaitAsync(Bound);
        ConnectionSummary[] closed = await harness.Events.WaitClosedAsync(1, Bound);

        got.Should().Be(1);
        reply[0].Should().Be((byte)'k');
        (await serverHash.Task.WaitAsync(Bound)).Should().Equal(sent.GetHashAndReset());
        harness.Engine.Snapshot().ReadBatchesStarted.Should().BeGreaterThan(0, "16 MiB over loopback is a fast bulk stream");
        closed[0].EndReason.Should().Be(ConnectionEndReason.Completed);
        closed[0].BytesUpstream.Should().Be(bulk + tail + 1);
        server.Failures.Should().BeEmpty();
    }

    private static async Task<byte[]> SendAllAsync(Socket socket, int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        int sent = 0;
        while (sent < length)
        {
            sent += await socket.SendAsync(data.AsMemory(sent));
        }

        return data;
    }

    private static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int length)
    {
        using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[64 * 1024];
        int total = 0;
        while (total < length)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(0, Math.Min(buffer.Length, length - total)));
            read.Should().BePositive("the stream may not end before all its bytes arrived");
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return hash.GetHashAndReset();
    }
}
