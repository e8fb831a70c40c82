using Capture.Proxy.Tunneling.Http2;

namespace Capture.Proxy.Tests.Tunneling.Http2;

public class Http2WriteBufferTests
{
    [Fact]
    public void TakePending_AfterAppends_ReturnsThemAndStartsEmpty()
    {
        using var buffer = new Http2WriteBuffer(64);
        buffer.Advance(Http2FrameWriter.WritePing(buffer.GetSpan(Http2FrameWriter.PingSize), 7, ack: false));
        buffer.Advance(Http2FrameWriter.WriteSettingsAck(buffer.GetSpan(Http2FrameHeader.Size)));

        ReadOnlyMemory<byte> taken = buffer.TakePending();
        buffer.Advance(Http2FrameWriter.WriteSettingsAck(buffer.GetSpan(Http2FrameHeader.Size)));

        taken.Length.Should().Be(Http2FrameWriter.PingSize + Http2FrameHeader.Size);
        Http2FrameHeader.Read(taken.Span).Type.Should().Be(Http2FrameType.Ping);
        buffer.Length.Should().Be(Http2FrameHeader.Size, "frames appended while the taken bytes are written go to the other buffer");
    }

    [Fact]
    public void GetSpan_PastCapacity_GrowsKeepingContent()
    {
        using var buffer = new Http2WriteBuffer(16);
        buffer.GetSpan(10).Fill(0xAB);
        buffer.Advance(10);

        buffer.GetSpan(100_000);
        buffer.Advance(5);

        buffer.TakePending().Span[..10].ToArray().Should().AllSatisfy(b => b.Should().Be(0xAB));
    }
}
