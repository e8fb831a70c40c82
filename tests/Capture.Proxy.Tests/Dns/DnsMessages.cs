using System.Buffers.Binary;

namespace Capture.Proxy.Tests.Dns;

/// <summary>Queries written byte by byte, as a stub resolver sends them (for the wire tests and the abuse tests).</summary>
internal static class DnsMessages
{
    public static byte[] Query(ushort id, string name, ushort type, int ednsSize = 0)
    {
        List<byte> bytes = [(byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, (byte)(ednsSize > 0 ? 1 : 0)];
        foreach (string label in name.TrimEnd('.').Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }

        bytes.AddRange([0, (byte)(type >> 8), (byte)type, 0, 1]);
        if (ednsSize > 0)
        {
            bytes.AddRange([0, 0, 41, (byte)(ednsSize >> 8), (byte)ednsSize, 0, 0, 0, 0, 0, 0]);
        }

        return [.. bytes];
    }

    public static ushort Rcode(byte[] answer) => (ushort)(answer[3] & 0x0F);

    public static ushort AnswerCount(byte[] answer) => BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(6));
}
