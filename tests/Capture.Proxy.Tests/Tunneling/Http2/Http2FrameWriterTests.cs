using System.Text;
using Capture.Proxy.Tunneling.Http2;

namespace Capture.Proxy.Tests.Tunneling.Http2;

public class Http2FrameWriterTests
{
    [Fact]
    public void ClientPreface_IsRfc9113Magic()
    {
        Encoding.ASCII.GetString(Http2FrameWriter.ClientPreface).Should().Be("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    }

    [Fact]
    public void WriteSettings_TwoParameters_EncodesSixBytesEach()
    {
        byte[] buffer = new byte[64];

        int written = Http2FrameWriter.WriteSettings(buffer, [(Http2SettingId.EnablePush, 0), (Http2SettingId.InitialWindowSize, 4 << 20)]);

        Convert.ToHexString(buffer, 0, written).Should().Be("00000C040000000000" + "000200000000" + "000400400000");
        Http2FrameReader.ReadSetting(buffer.AsSpan(Http2FrameHeader.Size, 12), 1).Should().Be((Http2SettingId.InitialWindowSize, 4u << 20));
    }

    [Fact]
    public void WriteSettingsAck_IsEmptyWithAckFlag()
    {
        byte[] buffer = new byte[16];

        int written = Http2FrameWriter.WriteSettingsAck(buffer);

        Convert.ToHexString(buffer, 0, written).Should().Be("000000040100000000");
    }

    [Fact]
    public void WriteData_EmptyEndStream_IsBareHeader()
    {
        byte[] buffer = new byte[16];

        int written = Http2FrameWriter.WriteData(buffer, 3, [], endStream: true);

        Convert.ToHexString(buffer, 0, written).Should().Be("000000000100000003");
    }

    [Fact]
    public void WriteHeaders_BlockLargerThanFrame_SplitsIntoContinuations()
    {
        byte[] block = new byte[25];
        for (int i = 0; i < block.Length; i++)
        {
            block[i] = (byte)i;
        }

        byte[] buffer = new byte[Http2FrameWriter.HeadersSize(block.Length, 10)];

        int written = Http2FrameWriter.WriteHeaders(buffer, 1, block, endStream: false, maxFrameSize: 10);

        written.Should().Be(buffer.Length).And.Be(25 + (3 * Http2FrameHeader.Size));
        Http2FrameHeader.Read(buffer).Should().Be(new Http2FrameHeader(10, Http2FrameType.Headers, Http2FrameFlags.None, 1));
        Http2FrameHeader.Read(buffer.AsSpan(19)).Should().Be(new Http2FrameHeader(10, Http2FrameType.Continuation, Http2FrameFlags.None, 1));
        Http2FrameHeader.Read(buffer.AsSpan(38)).Should().Be(new Http2FrameHeader(5, Http2FrameType.Continuation, Http2FrameFlags.EndHeaders, 1));
        buffer.AsSpan(47, 5).ToArray().Should().Equal(20, 21, 22, 23, 24);
    }

    [Fact]
    public void WriteHeaders_SmallBlockWithEndStream_OneFrameWithBothFlags()
    {
        byte[] buffer = new byte[32];

        int written = Http2FrameWriter.WriteHeaders(buffer, 7, [0x82], endStream: true, maxFrameSize: 16_384);

        Convert.ToHexString(buffer, 0, written).Should().Be("00000101050000000782");
    }
}
