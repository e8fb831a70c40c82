using Capture.Proxy.Tunneling.Http2;

namespace Capture.Proxy.Tests.Tunneling.Http2;

public class Http2ReceiveBufferTests
{
    [Fact]
    public void AppendRead_AcrossSegments_ReturnsBytesInOrder()
    {
        var buffer = new Http2ReceiveBuffer();
        byte[] data = new byte[(Http2ReceiveBuffer.SegmentSize * 5) + 123];
        Random.Shared.NextBytes(data);

        for (int offset = 0; offset < data.Length; offset += 16_384)
        {
            buffer.Append(data.AsSpan(offset, Math.Min(16_384, data.Length - offset)));
        }

        int lengthAfterAppend = buffer.Length;
        byte[] read = new byte[data.Length];
        int total = 0;
        while (buffer.Length > 0)
        {
            total += buffer.Read(read.AsSpan(total, Math.Min(10_000, read.Length - total)));
        }

        lengthAfterAppend.Should().Be(data.Length);
        total.Should().Be(data.Length);
        read.Should().Equal(data);
    }

    [Fact]
    public void Clear_WithUnreadBytes_ReturnsCountAndEmpties()
    {
        var buffer = new Http2ReceiveBuffer();
        buffer.Append(new byte[100_000]);
        buffer.Read(new byte[1_000]);

        int dropped = buffer.Clear();

        dropped.Should().Be(99_000);
        buffer.Length.Should().Be(0);
        buffer.Read(new byte[10]).Should().Be(0);
    }
}
