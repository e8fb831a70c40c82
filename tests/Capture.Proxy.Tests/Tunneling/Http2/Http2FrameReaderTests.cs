using Capture.Proxy.Tunneling.Http2;

namespace Capture.Proxy.Tests.Tunneling.Http2;

public class Http2FrameReaderTests
{
    public static TheoryData<byte, byte, int, int, uint> InvalidHeaders => new()
    {
        { (byte)Http2FrameType.Data, (byte)Http2FrameFlags.None, 16_385, 1, (uint)Http2ErrorCode.FrameSizeError },
        { (byte)Http2FrameType.Data, (byte)Http2FrameFlags.None, 10, 0, (uint)Http2ErrorCode.ProtocolError },
        { (byte)Http2FrameType.Headers, (byte)Http2FrameFlags.None, 10, 0, (uint)Http2ErrorCode.ProtocolError },
        { (byte)Http2FrameType.Continuation, (byte)Http2FrameFlags.None, 10, 0, (uint)Http2ErrorCode.ProtocolError },
        { (byte)Http2FrameType.RstStream, (byte)Http2FrameFlags.None, 4, 0, (uint)Http2ErrorCode.ProtocolError },
        { (byte)Http2FrameType.RstStream, (byte)Http2FrameFlags.None, 5, 1, (uint)Http2ErrorCode.FrameSizeError },
        { (byte)Http2FrameType.Settings, (byte)Http2FrameFlags.None, 6, 1, (uint)Http2ErrorCode.ProtocolError },
        { (byte)Http2FrameType.Settings, (byte)Http2FrameFlags.None, 7, 0, (uint)Http2ErrorCode.FrameSizeError },
        { (byte)Http2FrameType.Settings, (byte)Http2FrameFlags.Ack, 6, 0, (uint)Http2ErrorCode.FrameSizeError },
        { (byte)Http2FrameType.Ping, (byte)Http2FrameFlags.None, 8, 1, (uint)Http2ErrorCode.ProtocolError },
        { (byte)Http2FrameType.Ping, (byte)Http2FrameFlags.None, 7, 0, (uint)Http2ErrorCode.FrameSizeError },
        { (byte)Http2FrameType.GoAway, (byte)Http2FrameFlags.None, 7, 0, (uint)Http2ErrorCode.FrameSizeError },
        { (byte)Http2FrameType.GoAway, (byte)Http2FrameFlags.None, 8, 3, (uint)Http2ErrorCode.ProtocolError },
        { (byte)Http2FrameType.WindowUpdate, (byte)Http2FrameFlags.None, 5, 0, (uint)Http2ErrorCode.FrameSizeError },
        { (byte)Http2FrameType.Priority, (byte)Http2FrameFlags.None, 4, 1, (uint)Http2ErrorCode.FrameSizeError },
    };

    [Theory]
    [MemberData(nameof(InvalidHeaders))]
    public void Validate_BrokenRule_ThrowsConnectionError(byte type, byte flags, int length, int streamId, uint code)
    {
        var header = new Http2FrameHeader(length, (Http2FrameType)type, (Http2FrameFlags)flags, streamId);

        Action act = () => Http2FrameReader.Validate(header, Http2FrameHeader.MinMaxFrameSize);

        act.Should().Throw<Http2ConnectionException>().Which.ErrorCode.Should().Be((Http2ErrorCode)code);
    }

    [Theory]
    [InlineData(0x0, 16_384, 1)]
    [InlineData(0x4, 12, 0)]
    [InlineData(0x7, 20, 0)]
    [InlineData(0x8, 4, 0)]
    [InlineData(0x8, 4, 7)]
    [InlineData(0xfa, 100, 5)]
    public void Validate_ValidHeader_DoesNotThrow(byte type, int length, int streamId)
    {
        Action act = () => Http2FrameReader.Validate(new Http2FrameHeader(length, (Http2FrameType)type, Http2FrameFlags.None, streamId), Http2FrameHeader.MinMaxFrameSize);

        act.Should().NotThrow();
    }

    [Fact]
    public void GetContent_PaddedData_StripsPadLengthAndPadding()
    {
        byte[] payload = [3, 0xAA, 0xBB, 0, 0, 0];
        var header = new Http2FrameHeader(payload.Length, Http2FrameType.Data, Http2FrameFlags.Padded, 1);

        Http2FrameReader.GetContent(header, payload).ToArray().Should().Equal(0xAA, 0xBB);
    }

    [Fact]
    public void GetContent_PaddedHeadersWithPriority_StripsBoth()
    {
        byte[] payload = [1, 0x80, 0, 0, 3, 15, 0x82, 0x84, 0];
        var header = new Http2FrameHeader(payload.Length, Http2FrameType.Headers, Http2FrameFlags.Padded | Http2FrameFlags.Priority | Http2FrameFlags.EndHeaders, 1);

        Http2FrameReader.GetContent(header, payload).ToArray().Should().Equal(0x82, 0x84);
    }

    [Fact]
    public void GetContent_PaddingLongerThanFrame_ThrowsProtocolError()
    {
        byte[] payload = [5, 1, 2];
        var header = new Http2FrameHeader(payload.Length, Http2FrameType.Data, Http2FrameFlags.Padded, 1);

        Action act = () => Http2FrameReader.GetContent(header, payload);

        act.Should().Throw<Http2ConnectionException>().Which.ErrorCode.Should().Be(Http2ErrorCode.ProtocolError);
    }

    [Fact]
    public void ReadPayloads_WrittenFrames_RoundTrip()
    {
        byte[] buffer = new byte[64];

        Http2FrameWriter.WriteWindowUpdate(buffer, 5, 0x7FFF_FFFF);
        int increment = Http2FrameReader.ReadWindowUpdate(buffer.AsSpan(Http2FrameHeader.Size));
        Http2FrameWriter.WriteRstStream(buffer, 5, Http2ErrorCode.Cancel);
        Http2ErrorCode reset = Http2FrameReader.ReadRstStream(buffer.AsSpan(Http2FrameHeader.Size));
        Http2FrameWriter.WritePing(buffer, 0x0102030405060708, ack: true);
        ulong ping = Http2FrameReader.ReadPing(buffer.AsSpan(Http2FrameHeader.Size));
        Http2FrameWriter.WriteGoAway(buffer, 41, Http2ErrorCode.EnhanceYourCalm);
        (int lastStreamId, Http2ErrorCode goAway) = Http2FrameReader.ReadGoAway(buffer.AsSpan(Http2FrameHeader.Size));

        increment.Should().Be(0x7FFF_FFFF);
        reset.Should().Be(Http2ErrorCode.Cancel);
        ping.Should().Be(0x0102030405060708);
        lastStreamId.Should().Be(41);
        goAway.Should().Be(Http2ErrorCode.EnhanceYourCalm);
    }
}
