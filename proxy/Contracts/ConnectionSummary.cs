using Capture.NativeShims;

namespace Capture.Proxy.Contracts;

/// <summary>
/// What a connection did, reported once when it closes. Its byte counts are the connection's whole totals (for the
/// access log); the metrics count bytes from <see cref="IProxyEvents.BytesRelayed"/> as they move.
/// </summary>
internal readonly struct ConnectionSummary
{
    internal ConnectionSummary(in ConnectionInfo info, ConnectionEndReason endReason, Errno error, long bytesUpstream, long bytesDownstream,
        long splicedBytes, long copiedBytes, TimeSpan duration)
    {
        Info = info;
        EndReason = endReason;
        Error = error;
        BytesUpstream = bytesUpstream;
        BytesDownstream = bytesDownstream;
        SplicedBytes = splicedBytes;
        CopiedBytes = copiedBytes;
        Duration = duration;
    }

    public ConnectionInfo Info { get; }

    /// <summary>Set when the connection went through an HBONE tunnel (null: plaintext passthrough).</summary>
    public TunnelDetails? Tunnel { get; init; }

    /// <summary><c>namespace/name</c> of the authorization policy that decided, when one did (null otherwise).</summary>
    public string? Policy { get; init; }

    public ConnectionEndReason EndReason { get; }

    /// <summary>The errno behind <see cref="EndReason"/> when there was one.</summary>
    public Errno Error { get; }

    /// <summary>Bytes delivered from the client to the upstream.</summary>
    public long BytesUpstream { get; }

    /// <summary>Bytes delivered from the upstream to the client.</summary>
    public long BytesDownstream { get; }

    /// <summary>Of all bytes delivered (both directions), those moved by splice(2).</summary>
    public long SplicedBytes { get; }

    /// <summary>Of all bytes delivered (both directions), those copied through a user-space buffer.</summary>
    public long CopiedBytes { get; }

    /// <summary>From accept to close.</summary>
    public TimeSpan Duration { get; }
}
