using Capture.Proxy.Tunneling.Http2;

namespace Capture.Proxy.Tests.Tunneling.Http2;

public class Http2ClientConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task PingTimer_PeerStopsAnswering_ConnectionDroppedAfter20Seconds()
    {
        var time = new ManualTimeProvider();
        (RawHttp2Peer peer, Http2ClientConnection connection) = await RawHttp2Peer.StartAsync(time);
        await using RawHttp2Peer peerScope = peer;
        await using Http2ClientConnection connectionScope = connection;
        await peer.SendSettingsAsync();

        time.Advance(TimeSpan.FromSeconds(10));
        (Http2FrameHeader ping, _) = await peer.ReadUntilAsync(Http2FrameType.Ping);
        time.Advance(TimeSpan.FromSeconds(19));
        bool endedBefore20Seconds = connection.Completion.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(1));
        Http2CloseReason reason = await connection.Completion.WaitAsync(Timeout);

        ping.HasFlag(Http2FrameFlags.Ack).Should().BeFalse();
        endedBefore20Seconds.Should().BeFalse();
        reason.Kind.Should().Be(Http2CloseKind.PingTimeout);
        connection.CanOpenStream.Should().BeFalse();
    }

    [Fact]
    public async Task PingTimer_PeerAnswers_ConnectionStaysOpen()
    {
        var time = new ManualTimeProvider();
        (RawHttp2Peer peer, Http2ClientConnection connection) = await RawHttp2Peer.StartAsync(time);
        await using RawHttp2Peer peerScope = peer;
        await using Http2ClientConnection connectionScope = connection;
        await peer.SendSettingsAsync();

        for (int i = 0; i < 6; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            (_, byte[] payload) = await peer.ReadUntilAsync(Http2FrameType.Ping);
            await peer.SendPingAckAsync(Http2FrameReader.ReadPing(payload));
            // The read loop must take the ACK before the clock moves on: with the PING still outstanding the next tick
            // sends none (a fixed 50 ms wait here lost that race on a loaded CI machine).
            await WaitUntilAsync(() => !connection.PingOutstanding);
        }

        connection.Completion.IsCompleted.Should().BeFalse();
        connection.CanOpenStream.Should().BeTrue();
    }

    [Fact]
    public async Task Abort_DataAlreadyBuffered_ReadThrowsInsteadOfReturningIt()
    {
        var time = new ManualTimeProvider();
        (RawHttp2Peer peer, Http2ClientConnection connection) = await RawHttp2Peer.StartAsync(time);
        await using RawHttp2Peer peerScope = peer;
        await using Http2ClientConnection connectionScope = connection;
        await peer.SendSettingsAsync();
        Task<Http2ConnectResult> connect = connection.ConnectAsync("10.0.0.7:80", [], CancellationToken.None);
        await peer.ReadUntilAsync(Http2FrameType.Headers);
        await peer.SendResponseAsync(1, 200);
        await using Http2Stream stream = (await connect.WaitAsync(Timeout)).Stream!;
        await peer.SendDataAsync(1, [1, 2, 3], endStream: false);
        await WaitUntilAsync(() => stream.BufferedBytes == 3);

        stream.Abort(Http2ErrorCode.ConnectError);
        Func<Task> read = () => stream.ReadAsync(new byte[16]).AsTask();

        // Before: the three bytes that arrived before our reset were still handed out, then the read failed.
        await read.Should().ThrowAsync<ObjectDisposedException>();
        (Http2FrameHeader reset, _) = await peer.ReadUntilAsync(Http2FrameType.RstStream);
        reset.StreamId.Should().Be(1);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        long started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            TimeProvider.System.GetElapsedTime(started).Should().BeLessThan(Timeout, "the condition should hold soon");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task GoAway_LastStreamOne_StreamThreeRefusedStreamOneFinishesThenConnectionEnds()
    {
        var time = new ManualTimeProvider();
        (RawHttp2Peer peer, Http2ClientConnection connection) = await RawHttp2Peer.StartAsync(time);
        await using RawHttp2Peer peerScope = peer;
        await using Http2ClientConnection connectionScope = connection;
        await peer.SendSettingsAsync();
        Task<Http2ConnectResult> first = connection.ConnectAsync("10.0.0.7:80", [], CancellationToken.None);
        (Http2FrameHeader headers1, _) = await peer.ReadUntilAsync(Http2FrameType.Headers);
        await peer.SendResponseAsync(1, 200);
        await using Http2Stream stream1 = (await first.WaitAsync(Timeout)).Stream!;
        Task<Http2ConnectResult> second = connection.ConnectAsync("10.0.0.7:80", [], CancellationToken.None);
        (Http2FrameHeader headers3, _) = await peer.ReadUntilAsync(Http2FrameType.Headers);

        await peer.SendGoAwayAsync(lastStreamId: 1);
        Func<Task> secondConnect = () => second.WaitAsync(Timeout);
        (await secondConnect.Should().ThrowAsync<Http2StreamResetException>()).Which.ErrorCode.Should().Be(Http2ErrorCode.RefusedStream);
        bool canOpenAfterGoAway = connection.CanOpenStream;
        Func<Task> third = () => connection.ConnectAsync("10.0.0.7:80", [], CancellationToken.None);
        await third.Should().ThrowAsync<IOException>();
        await peer.SendDataAsync(1, [1, 2, 3], endStream: true);
        byte[] buffer = new byte[16];
        int read = await stream1.ReadAsync(buffer).AsTask().WaitAsync(Timeout);
        int end = await stream1.ReadAsync(buffer.AsMemory(read)).AsTask().WaitAsync(Timeout);
        bool openBeforeLastStreamEnds = !connection.Completion.IsCompleted;
        await stream1.CompleteWritesAsync();
        Http2CloseReason reason = await connection.Completion.WaitAsync(Timeout);

        headers1.StreamId.Should().Be(1);
        headers3.StreamId.Should().Be(3);
        canOpenAfterGoAway.Should().BeFalse();
        read.Should().Be(3);
        end.Should().Be(0);
        openBeforeLastStreamEnds.Should().BeTrue();
        reason.Kind.Should().Be(Http2CloseKind.GoAway);
    }
}
