namespace Capture.Proxy.Metrics;

/// <summary>What became of one client query (the <c>result</c> label of <c>capture_dns_queries_total</c>).</summary>
internal enum DnsResult
{
    /// <summary>Answered from the workloads file's names.</summary>
    Local,

    /// <summary>Forwarded to a nameserver, whose answer went back to the client.</summary>
    Forwarded,

    /// <summary>Answered SERVFAIL: no nameserver answered in time, none is configured, or too many queries were outstanding.</summary>
    ServFail,

    /// <summary>Not a readable query: answered FORMERR when it had a header, else dropped.</summary>
    Malformed,
}
