using System.Text;
using Capture.Proxy.Tunneling.Http2;

namespace Capture.Proxy.Tests.Tunneling.Http2;

public class HpackHuffmanTests
{
    [Theory]
    [InlineData(0, 0x1ff8u, 13)]
    [InlineData(' ', 0x14u, 6)]
    [InlineData('0', 0x0u, 5)]
    [InlineData('a', 0x3u, 5)]
    [InlineData('z', 0x7bu, 7)]
    [InlineData('~', 0x1ffdu, 13)]
    [InlineData(255, 0x3ffffeeu, 26)]
    [InlineData(256, 0x3fffffffu, 30)]
    public void GetCode_Symbol_MatchesRfcAppendixB(int symbol, uint code, int length)
    {
        HpackHuffman.GetCode(symbol).Should().Be((code, length));
    }

    [Theory]
    [InlineData("www.example.com", "f1e3 c2e5 f23a 6ba0 ab90 f4ff")]
    [InlineData("no-cache", "a8eb 1064 9cbf")]
    [InlineData("custom-key", "25a8 49e9 5ba9 7d7f")]
    [InlineData("custom-value", "25a8 49e9 5bb8 e8b4 bf")]
    public void Encode_RfcC4Strings_MatchByteForByte(string text, string hex)
    {
        byte[] source = Encoding.ASCII.GetBytes(text);
        byte[] destination = new byte[64];

        int written = HpackHuffman.Encode(source, destination);

        Convert.ToHexString(destination, 0, written).Should().Be(Convert.ToHexString(HpackRfcExamples.Hex(hex)));
        HpackHuffman.GetEncodedLength(source).Should().Be(written);
    }

    [Fact]
    public void Decode_EveryOctetValue_RoundTrips()
    {
        byte[] source = new byte[512];
        for (int i = 0; i < source.Length; i++)
        {
            source[i] = (byte)(i * 7);
        }

        byte[] encoded = new byte[HpackHuffman.GetEncodedLength(source)];
        HpackHuffman.Encode(source, encoded);
        byte[] decoded = new byte[encoded.Length * 2];

        bool ok = HpackHuffman.TryDecode(encoded, decoded, out int written);

        ok.Should().BeTrue();
        decoded.AsSpan(0, written).ToArray().Should().Equal(source);
    }
}
