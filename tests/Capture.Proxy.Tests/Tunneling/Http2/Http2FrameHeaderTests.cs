using Capture.Proxy.Tunneling.Http2;

namespace Capture.Proxy.Tests.Tunneling.Http2;

public class Http2FrameHeaderTests
{
    [Fact]
    public void WriteRead_Header_RoundTrips()
    {
        var header = new Http2FrameHeader(0x123456, Http2FrameType.Headers, Http2FrameFlags.EndHeaders | Http2FrameFlags.Padded, 0x7FFF_FFFF);
        byte[] buffer = new byte[Http2FrameHeader.Size];

        header.Write(buffer);

        Convert.ToHexString(buffer).Should().Be("123456010C7FFFFFFF");
        Http2FrameHeader.Read(buffer).Should().Be(header);
    }

    [Fact]
    public void Read_ReservedBitSet_IsIgnored()
    {
        byte[] buffer = Convert.FromHexString("000004080080000003");

        Http2FrameHeader header = Http2FrameHeader.Read(buffer);

        header.Should().Be(new Http2FrameHeader(4, Http2FrameType.WindowUpdate, Http2FrameFlags.None, 3));
    }

    [Fact]
    public void Write_LengthPast24Bits_Throws()
    {
        var header = new Http2FrameHeader(Http2FrameHeader.MaxMaxFrameSize + 1, Http2FrameType.Data, Http2FrameFlags.None, 1);

        Action act = () => header.Write(new byte[Http2FrameHeader.Size]);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
