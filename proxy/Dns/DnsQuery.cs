namespace Capture.Proxy.Dns;

/// <summary>What the proxy reads of a client's query: enough to answer it locally or to forward it unchanged.</summary>
/// <param name="Id">The message id, echoed in the answer.</param>
/// <param name="RecursionDesired">The RD bit, echoed.</param>
/// <param name="Name">The question's name, lower case, without the trailing dot (empty for the root).</param>
/// <param name="Type">The question's type (1 A, 28 AAAA, …).</param>
/// <param name="Class">The question's class (1 IN).</param>
/// <param name="QuestionEnd">Offset just past the question: the answer copies bytes 12..QuestionEnd.</param>
/// <param name="EdnsSize">The client's EDNS0 UDP payload size; 0 without an OPT record.</param>
internal readonly record struct DnsQuery(ushort Id, bool RecursionDesired, string Name, ushort Type, ushort Class, int QuestionEnd, int EdnsSize)
{
    /// <summary>The largest UDP answer this client accepts: its EDNS0 size (at least 512), else 512 (RFC 1035).</summary>
    public int MaxUdpSize => EdnsSize >= DnsWire.ClassicUdpSize ? EdnsSize : DnsWire.ClassicUdpSize;
}
