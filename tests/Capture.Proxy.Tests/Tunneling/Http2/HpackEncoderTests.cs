using System.Buffers;
using Capture.Proxy.Tunneling.Http2;

namespace Capture.Proxy.Tests.Tunneling.Http2;

public class HpackEncoderTests
{
    public static TheoryData<bool, bool> Sequences => new()
    {
        { true, false },     // C.3
        { true, true },    // C.4
        { false, false },    // C.5
        { false, true },   // C.6
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public void Encode_RfcAppendixCSequence_MatchesByteForByte(bool requests, bool useHuffman)
    {
        HpackHuffmanMode huffman = useHuffman ? HpackHuffmanMode.Always : HpackHuffmanMode.Never;
        var encoder = new HpackEncoder(requests ? 4096 : 256, huffman);
        KeyValuePair<string, string>[][] blocks = requests ? HpackRfcExamples.Requests : HpackRfcExamples.Responses;
        string[] expected = (requests, huffman) switch
        {
            (true, HpackHuffmanMode.Never) => HpackRfcExamples.RequestsPlain,
            (true, _) => HpackRfcExamples.RequestsHuffman,
            (false, HpackHuffmanMode.Never) => HpackRfcExamples.ResponsesPlain,
            _ => HpackRfcExamples.ResponsesHuffman,
        };
        int[] tableSizes = requests ? HpackRfcExamples.RequestTableSizes : HpackRfcExamples.ResponseTableSizes;

        for (int i = 0; i < blocks.Length; i++)
        {
            var output = new ArrayBufferWriter<byte>();
            encoder.BeginBlock(output);
            foreach (KeyValuePair<string, string> header in blocks[i])
            {
                encoder.Encode(output, header.Key, header.Value);
            }

            Convert.ToHexString(output.WrittenSpan).Should().Be(Convert.ToHexString(HpackRfcExamples.Hex(expected[i])), $"block {i + 1}");
            encoder.Table.Size.Should().Be(tableSizes[i]);
        }
    }

    [Fact]
    public void Encode_LiteralForms_MatchRfcC2()
    {
        var encoder = new HpackEncoder(4096, HpackHuffmanMode.Never);
        var output = new ArrayBufferWriter<byte>();

        encoder.Encode(output, "custom-key", "custom-header");
        encoder.Encode(output, ":path", "/sample/path", HpackIndexing.WithoutIndexing);
        encoder.Encode(output, "password", "secret", HpackIndexing.NeverIndexed);
        encoder.Encode(output, ":method", "GET");

        Convert.ToHexString(output.WrittenSpan).Should().Be(Convert.ToHexString(HpackRfcExamples.Hex(
            "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572" +
            "040c 2f73 616d 706c 652f 7061 7468" +
            "1008 7061 7373 776f 7264 0673 6563 7265 74" +
            "82")));
        encoder.Table.Size.Should().Be(55);
        encoder.Table.Count.Should().Be(1);
    }

    [Fact]
    public void BeginBlock_PeerShrankThenGrewTable_SendsMinimumThenFinalSize()
    {
        var encoder = new HpackEncoder(4096, HpackHuffmanMode.Never);
        encoder.SetPeerMaxTableSize(0);
        encoder.SetPeerMaxTableSize(1024);
        var output = new ArrayBufferWriter<byte>();

        encoder.BeginBlock(output);

        // 0x20 = size update to 0; 0x3f e1 07 = size update to 1024 (5-bit prefix: 31 + 993).
        Convert.ToHexString(output.WrittenSpan).Should().Be("203FE107");
        encoder.Table.MaxSize.Should().Be(1024);
    }

    [Fact]
    public void Encode_ConnectRequest_DecodesToTheSameFields()
    {
        var encoder = new HpackEncoder();
        var decoder = new HpackDecoder();
        var output = new ArrayBufferWriter<byte>();
        var decoded = new List<KeyValuePair<string, string>>();

        encoder.BeginBlock(output);
        encoder.Encode(output, ":method", "CONNECT");
        encoder.Encode(output, ":authority", "[fd00::7]:8080");
        encoder.Encode(output, "forwarded", "for=\"10.0.0.1:41234\"", HpackIndexing.WithoutIndexing);
        decoder.Decode(output.WrittenSpan, decoded).Should().BeTrue();

        decoded.Should().Equal(
            new KeyValuePair<string, string>(":method", "CONNECT"),
            new KeyValuePair<string, string>(":authority", "[fd00::7]:8080"),
            new KeyValuePair<string, string>("forwarded", "for=\"10.0.0.1:41234\""));
        encoder.Table.Count.Should().Be(2);
        decoder.Table.Count.Should().Be(2);
    }
}
