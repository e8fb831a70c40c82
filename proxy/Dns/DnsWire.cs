using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using DnsClient;

namespace Capture.Proxy.Dns;

/// <summary>
/// The few DNS wire operations the proxy needs (RFC 1035, RFC 6891). Reading a name (labels, compression pointers,
/// loops, bounds) is DnsClient's <see cref="DnsDatagramReader"/>; DnsClient has no public writer, so the answers are
/// written here: a header, the client's own question bytes, and A/AAAA records pointing back at that question's
/// name. Forwarded answers are passed through as bytes, only cut when a UDP client cannot take them.
/// </summary>
internal static class DnsWire
{
    public const int HeaderSize = 12;
    public const int ClassicUdpSize = 512;
    public const int MaxMessageSize = 65535;
    public const ushort TypeA = 1;
    public const ushort TypeAaaa = 28;
    public const ushort TypeOpt = 41;
    public const ushort ClassIn = 1;
    public const byte RcodeNoError = 0;
    public const byte RcodeFormErr = 1;
    public const byte RcodeServFail = 2;

    /// <summary>Answers are authoritative for 30 s, as pilot-agent's.</summary>
    public const uint AnswerTtl = 30;

    /// <summary>The EDNS0 size the proxy itself advertises in its answers (the DNS flag day's 1232).</summary>
    public const ushort OwnEdnsSize = 1232;

    private const ushort FlagQr = 0x8000;
    private const ushort FlagAa = 0x0400;
    private const ushort FlagTc = 0x0200;
    private const ushort FlagRd = 0x0100;
    private const ushort FlagRa = 0x0080;

    /// <summary>The message's id, or -1 when it is shorter than a header.</summary>
    public static int Id(ReadOnlySpan<byte> message) => message.Length < HeaderSize ? -1 : BinaryPrimitives.ReadUInt16BigEndian(message);

    /// <summary>
    /// Reads a query. False when it is not one the proxy can answer itself: not a standard query with exactly one
    /// question (<paramref name="forwardable"/> true: forward it unchanged), or malformed (<paramref name="forwardable"/>
    /// false: a response, shorter than a header, or a question that does not parse).
    /// </summary>
    public static bool TryReadQuery(ArraySegment<byte> message, out DnsQuery query, out bool forwardable)
    {
        query = default;
        forwardable = false;
        ReadOnlySpan<byte> span = message;
        if (span.Length < HeaderSize)
        {
            return false;
        }

        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        if ((flags & FlagQr) != 0)
        {
            return false; // a response sent to a server
        }

        int opcode = (flags >> 11) & 0xF;
        ushort questions = BinaryPrimitives.ReadUInt16BigEndian(span[4..]);
        if (opcode != 0 || questions != 1)
        {
            forwardable = true; // NOTIFY, UPDATE, several questions: not ours to judge
            return false;
        }

        try
        {
            DnsDatagramReader reader = new(message, HeaderSize);
            string name = reader.ReadDnsName().Value;
            ushort type = reader.ReadUInt16NetworkOrder();
            ushort @class = reader.ReadUInt16NetworkOrder();
            int questionEnd = reader.Index;
            int records = BinaryPrimitives.ReadUInt16BigEndian(span[6..]) + BinaryPrimitives.ReadUInt16BigEndian(span[8..]);
            int additional = BinaryPrimitives.ReadUInt16BigEndian(span[10..]);
            int edns = 0;
            for (int i = 0; i < records + additional; i++)
            {
                _ = reader.ReadDnsName();
                ushort recordType = reader.ReadUInt16NetworkOrder();
                ushort recordClass = reader.ReadUInt16NetworkOrder();
                reader.Advance(4); // TTL
                int length = reader.ReadUInt16NetworkOrder();
                reader.Advance(length);
                if (i >= records && recordType == TypeOpt)
                {
                    edns = recordClass;
                }
            }

            string normalized = name.TrimEnd('.').ToLowerInvariant();
            query = new DnsQuery(BinaryPrimitives.ReadUInt16BigEndian(span), (flags & FlagRd) != 0, normalized, type, @class, questionEnd, edns);
            forwardable = true;
            return true;
        }
        catch (DnsResponseParseException)
        {
            return false;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
        catch (IndexOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>
    /// An authoritative NOERROR answer: the query's question, then one record per address of the asked family
    /// (none is a valid answer: the name exists, the family does not), with an OPT record when the client sent one.
    /// </summary>
    public static byte[] Answer(ReadOnlySpan<byte> queryMessage, in DnsQuery query, IReadOnlyList<IPAddress> addresses)
    {
        int questionLength = query.QuestionEnd - HeaderSize;
        int size = HeaderSize + questionLength + (query.EdnsSize > 0 ? 11 : 0);
        foreach (IPAddress address in addresses)
        {
            size += 12 + (address.AddressFamily == AddressFamily.InterNetwork ? 4 : 16);
        }

        byte[] answer = new byte[size];
        Span<byte> span = answer;
        WriteHeader(span, query.Id, FlagQr | FlagAa | FlagRa | (query.RecursionDesired ? FlagRd : 0), RcodeNoError, 1, addresses.Count, query.EdnsSize > 0 ? 1 : 0);
        queryMessage[HeaderSize..query.QuestionEnd].CopyTo(span[HeaderSize..]);
        int offset = query.QuestionEnd;
        foreach (IPAddress address in addresses)
        {
            bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
            BinaryPrimitives.WriteUInt16BigEndian(span[offset..], 0xC000 | HeaderSize); // the question's name
            BinaryPrimitives.WriteUInt16BigEndian(span[(offset + 2)..], v4 ? TypeA : TypeAaaa);
            BinaryPrimitives.WriteUInt16BigEndian(span[(offset + 4)..], ClassIn);
            BinaryPrimitives.WriteUInt32BigEndian(span[(offset + 6)..], AnswerTtl);
            BinaryPrimitives.WriteUInt16BigEndian(span[(offset + 10)..], (ushort)(v4 ? 4 : 16));
            _ = address.TryWriteBytes(span[(offset + 12)..], out int written);
            offset += 12 + written;
        }

        if (query.EdnsSize > 0)
        {
            WriteOpt(span[offset..]);
        }

        return answer;
    }

    /// <summary>An error answer (SERVFAIL, FORMERR) to a query: its header, and its question when it had a readable one.</summary>
    public static byte[] Error(ReadOnlySpan<byte> queryMessage, in DnsQuery? query, byte rcode)
    {
        ushort id = queryMessage.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(queryMessage) : (ushort)0;
        bool rd = queryMessage.Length >= 3 && (queryMessage[2] & 0x01) != 0;
        int questionEnd = query?.QuestionEnd ?? HeaderSize;
        byte[] error = new byte[questionEnd];
        WriteHeader(error, id, FlagQr | FlagRa | (rd ? FlagRd : 0), rcode, query is null ? 0 : 1, 0, 0);
        queryMessage[HeaderSize..questionEnd].CopyTo(error.AsSpan(HeaderSize));
        return error;
    }

    /// <summary>
    /// A UDP answer cut to <paramref name="maxSize"/>: unchanged when it fits, else its header with TC set and only its
    /// question (RFC 2181 §9: a truncated answer is a signal to retry over TCP, not a partial answer).
    /// </summary>
    public static ArraySegment<byte> Truncate(ArraySegment<byte> answer, int maxSize)
    {
        if (answer.Count <= maxSize || answer.Count < HeaderSize)
        {
            return answer;
        }

        int questionEnd = HeaderSize;
        int questions = BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(4));
        try
        {
            DnsDatagramReader reader = new(answer, HeaderSize);
            for (int i = 0; i < questions; i++)
            {
                _ = reader.ReadDnsName();
                reader.Advance(4);
            }

            questionEnd = reader.Index;
        }
        catch (Exception ex) when (ex is DnsResponseParseException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            questions = 0; // an upstream answer we cannot read past its header: keep the header only
        }

        if (questionEnd > maxSize)
        {
            questionEnd = HeaderSize;
            questions = 0;
        }

        byte[] cut = new byte[questionEnd];
        answer.AsSpan(0, questionEnd).CopyTo(cut);
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(cut.AsSpan(2));
        BinaryPrimitives.WriteUInt16BigEndian(cut.AsSpan(2), (ushort)(flags | FlagTc));
        BinaryPrimitives.WriteUInt16BigEndian(cut.AsSpan(4), (ushort)questions);
        cut.AsSpan(6, 6).Clear();
        return cut;
    }

    private static void WriteHeader(Span<byte> span, ushort id, int flags, byte rcode, int questions, int answers, int additional)
    {
        BinaryPrimitives.WriteUInt16BigEndian(span, id);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)(flags | rcode));
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], (ushort)questions);
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], (ushort)answers);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(span[10..], (ushort)additional);
    }

    // Root name, type OPT, class = our UDP size, extended rcode/version/flags 0, no options.
    private static void WriteOpt(Span<byte> span)
    {
        span[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], TypeOpt);
        BinaryPrimitives.WriteUInt16BigEndian(span[3..], OwnEdnsSize);
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(span[9..], 0);
    }
}
