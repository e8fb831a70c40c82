using Capture.Proxy.Tunneling.Http2;

namespace Capture.Proxy.Tests.Tunneling.Http2;

public class HpackDecoderTests
{
    public static TheoryData<bool, bool> Sequences => new()
    {
        { true, false },   // C.3
        { true, true },    // C.4
        { false, false },  // C.5
        { false, true },   // C.6
    };

    [Theory]
    [MemberData(nameof(Sequences))]
    public void Decode_RfcAppendixCSequence_YieldsTheFieldsAndTable(bool requests, bool huffman)
    {
        var decoder = new HpackDecoder(requests ? 4096 : 256);
        KeyValuePair<string, string>[][] blocks = requests ? HpackRfcExamples.Requests : HpackRfcExamples.Responses;
        string[] wire = (requests, huffman) switch
        {
            (true, false) => HpackRfcExamples.RequestsPlain,
            (true, true) => HpackRfcExamples.RequestsHuffman,
            (false, false) => HpackRfcExamples.ResponsesPlain,
            _ => HpackRfcExamples.ResponsesHuffman,
        };
        int[] tableSizes = requests ? HpackRfcExamples.RequestTableSizes : HpackRfcExamples.ResponseTableSizes;

        for (int i = 0; i < blocks.Length; i++)
        {
            var headers = new List<KeyValuePair<string, string>>();

            decoder.Decode(HpackRfcExamples.Hex(wire[i]), headers).Should().BeTrue();

            headers.Should().Equal(blocks[i], $"block {i + 1}");
            decoder.Table.Size.Should().Be(tableSizes[i]);
        }
    }

    [Fact]
    public void Decode_RfcC5Third_TableHoldsNewestFirst()
    {
        var decoder = new HpackDecoder(256);
        foreach (string block in HpackRfcExamples.ResponsesPlain)
        {
            decoder.Decode(HpackRfcExamples.Hex(block), []);
        }

        decoder.Table.Count.Should().Be(3);
        decoder.Table.Get(1).Should().Be(("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"));
        decoder.Table.Get(2).Should().Be(("content-encoding", "gzip"));
        decoder.Table.Get(3).Should().Be(("date", "Mon, 21 Oct 2013 20:13:22 GMT"));
    }

    [Theory]
    [InlineData("be", "index past both tables")]
    [InlineData("80", "index 0")]
    [InlineData("3fe21f", "size update above our 4096")]
    [InlineData("82 20", "size update after a field")]
    [InlineData("400a 6375", "string runs past the block")]
    [InlineData("0085 ffff ffff ff 01 61", "Huffman string containing EOS")]
    [InlineData("0082 1fff 01 61", "Huffman padding longer than 7 bits")]
    [InlineData("00 81 00 01 61", "Huffman padding of zeros")]
    [InlineData("ff ff ff ff ff 7f", "integer overflow")]
    public void Decode_InvalidBlock_Throws(string hex, string because)
    {
        var decoder = new HpackDecoder();

        Action act = () => decoder.Decode(HpackRfcExamples.Hex(hex), []);

        act.Should().Throw<HpackDecodingException>(because);
    }

    [Fact]
    public void Decode_SizeUpdateAtStart_ShrinksTable()
    {
        var decoder = new HpackDecoder();
        decoder.Decode(HpackRfcExamples.Hex(HpackRfcExamples.RequestsPlain[0]), []);

        decoder.Decode(HpackRfcExamples.Hex("20 82"), []);

        decoder.Table.Count.Should().Be(0);
        decoder.Table.MaxSize.Should().Be(0);
    }

    [Fact]
    public void Decode_OverHeaderListSize_ReturnsFalseButKeepsTableInStep()
    {
        var decoder = new HpackDecoder(4096, maxHeaderListSize: 60);
        var headers = new List<KeyValuePair<string, string>>();

        bool withinLimit = decoder.Decode(HpackRfcExamples.Hex(HpackRfcExamples.RequestsPlain[0]), headers);

        withinLimit.Should().BeFalse();
        decoder.Table.Size.Should().Be(57, "the :authority literal is still indexed");
    }
}
