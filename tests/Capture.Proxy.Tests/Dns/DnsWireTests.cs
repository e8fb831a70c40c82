using System.Buffers.Binary;
using System.Net;
using Capture.Proxy.Dns;

namespace Capture.Proxy.Tests.Dns;

public sealed class DnsWireTests
{
    [Fact]
    public void TryReadQuery_StandardQuery_ReadsNameTypeAndEdnsSize()
    {
        byte[] message = DnsMessages.Query(0x1234, "Reviews.Default.svc.cluster.local.", DnsWire.TypeAaaa, ednsSize: 4096);

        DnsWire.TryReadQuery(message, out DnsQuery query, out bool forwardable).Should().BeTrue();

        forwardable.Should().BeTrue();
        query.Id.Should().Be(0x1234);
        query.Name.Should().Be("reviews.default.svc.cluster.local");
        query.Type.Should().Be(DnsWire.TypeAaaa);
        query.Class.Should().Be(DnsWire.ClassIn);
        query.EdnsSize.Should().Be(4096);
        query.MaxUdpSize.Should().Be(4096);
        query.RecursionDesired.Should().BeTrue();
    }

    [Fact]
    public void TryReadQuery_NoEdns_ClientTakes512()
    {
        DnsWire.TryReadQuery(DnsMessages.Query(1, "a.b", DnsWire.TypeA), out DnsQuery query, out _).Should().BeTrue();

        query.EdnsSize.Should().Be(0);
        query.MaxUdpSize.Should().Be(512);
    }

    public static TheoryData<string, byte[], bool> Malformed => new()
    {
        { "shorter than a header", [1, 2, 3], false },
        { "a response", Flags(DnsMessages.Query(1, "a.b", 1), 0x8100), false },
        { "a name running past the end", [.. DnsMessages.Query(1, "a.b", 1)[..13], 60, 1, 2], false },
        { "a compression loop", [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1], false },
        { "a question without type and class", DnsMessages.Query(1, "a.b", 1)[..^4], false },
        { "two questions: forwarded, not answered", Count(DnsMessages.Query(1, "a.b", 1), 4, 2), true },
        { "an UPDATE: forwarded", Flags(DnsMessages.Query(1, "a.b", 1), 0x2800), true },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryReadQuery_NotAnswerable_SaysWhetherToForward(string what, byte[] message, bool forwardable)
    {
        DnsWire.TryReadQuery(message, out _, out bool canForward).Should().BeFalse(what);
        canForward.Should().Be(forwardable, what);
    }

    [Fact]
    public void Answer_TwoAddresses_AuthoritativeWithTtl30PointingAtTheQuestion()
    {
        byte[] message = DnsMessages.Query(7, "reviews", DnsWire.TypeA, ednsSize: 1232);
        DnsWire.TryReadQuery(message, out DnsQuery query, out _);

        byte[] answer = DnsWire.Answer(message, query, [IPAddress.Parse("10.96.0.20"), IPAddress.Parse("10.96.0.21")]);

        BinaryPrimitives.ReadUInt16BigEndian(answer).Should().Be(7);
        (answer[2] & 0x84).Should().Be(0x84, "QR and AA");
        (answer[3] & 0x0F).Should().Be(0, "NOERROR");
        BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(6)).Should().Be(2);
        BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(10)).Should().Be(1, "an OPT record, as the query had one");
        int first = query.QuestionEnd;
        BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(first)).Should().Be(0xC00C);
        BinaryPrimitives.ReadUInt32BigEndian(answer.AsSpan(first + 6)).Should().Be(30);
        answer.AsSpan(first + 12, 4).ToArray().Should().Equal(10, 96, 0, 20);
    }

    [Fact]
    public void Truncate_AnswerLargerThanTheClientTakes_HeaderAndQuestionWithTc()
    {
        byte[] message = DnsMessages.Query(9, "big.example", DnsWire.TypeA);
        DnsWire.TryReadQuery(message, out DnsQuery query, out _);
        IPAddress[] many = [.. Enumerable.Range(1, 40).Select(i => IPAddress.Parse($"10.0.0.{i}"))];
        byte[] answer = DnsWire.Answer(message, query, many);
        answer.Length.Should().BeGreaterThan(512);

        ArraySegment<byte> cut = DnsWire.Truncate(answer, query.MaxUdpSize);

        cut.Count.Should().Be(query.QuestionEnd);
        (cut[2] & 0x02).Should().Be(0x02, "TC");
        BinaryPrimitives.ReadUInt16BigEndian(cut.AsSpan(4)).Should().Be(1);
        BinaryPrimitives.ReadUInt16BigEndian(cut.AsSpan(6)).Should().Be(0);
        DnsWire.Truncate(answer, 4096).Count.Should().Be(answer.Length, "it fits a 4096-byte client");
    }

    [Fact]
    public void Error_ServFail_EchoesIdAndQuestion()
    {
        byte[] message = DnsMessages.Query(0xBEEF, "x.y", DnsWire.TypeA);
        DnsWire.TryReadQuery(message, out DnsQuery query, out _);

        byte[] error = DnsWire.Error(message, query, DnsWire.RcodeServFail);

        BinaryPrimitives.ReadUInt16BigEndian(error).Should().Be(0xBEEF);
        (error[3] & 0x0F).Should().Be(2);
        error.AsSpan(12).ToArray().Should().Equal(message.AsSpan(12, query.QuestionEnd - 12).ToArray());
    }

    private static byte[] Flags(byte[] message, ushort flags)
    {
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), flags);
        return message;
    }

    private static byte[] Count(byte[] message, int offset, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(offset), value);
        return message;
    }
}
