using Capture.Proxy.Tunneling.Http2;

namespace Capture.Proxy.Tests.Tunneling.Http2;

public class HpackIntegerTests
{
    [Theory]
    [InlineData(10, 5, "0A")]          // RFC 7541 C.1.1
    [InlineData(1337, 5, "1F9A0A")]    // C.1.2
    [InlineData(42, 8, "2A")]          // C.1.3
    [InlineData(31, 5, "1F00")]
    [InlineData(int.MaxValue, 7, "7F80FFFFFF07")]
    public void EncodeDecode_Value_MatchesRfcAndRoundTrips(int value, int prefixBits, string hex)
    {
        byte[] buffer = new byte[8];

        int written = HpackInteger.Encode(value, prefixBits, 0, buffer);
        int position = 0;
        bool decoded = HpackInteger.TryDecode(buffer.AsSpan(0, written), ref position, prefixBits, out int result);

        Convert.ToHexString(buffer, 0, written).Should().Be(hex);
        decoded.Should().BeTrue();
        result.Should().Be(value);
        position.Should().Be(written);
    }

    [Fact]
    public void TryDecode_Truncated_ReturnsFalse()
    {
        int position = 0;

        HpackInteger.TryDecode([0x1F, 0x9A], ref position, 5, out _).Should().BeFalse();
    }
}
