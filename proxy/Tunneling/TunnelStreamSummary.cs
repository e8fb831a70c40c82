using System.Net;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Tunneling;

/// <summary>What one tunnelled connection (one CONNECT stream) did, reported once when it ends.</summary>
internal sealed record TunnelStreamSummary
{
    public required TrafficDirection Direction { get; init; }

    /// <summary>Outbound: the app's socket address. Inbound: the address named in <c>forwarded: for=</c>, else the tunnel's peer.</summary>
    public required IPEndPoint Source { get; init; }

    /// <summary>Outbound: the app's original destination. Inbound: the CONNECT authority.</summary>
    public required IPEndPoint Destination { get; init; }

    /// <summary>The other end of the TLS connection: the server's 15008 (outbound) or the client (inbound).</summary>
    public required IPEndPoint TunnelPeer { get; init; }

    /// <summary>The peer's SPIFFE identity; empty when the stream failed before it was known.</summary>
    public string PeerIdentity { get; init; } = "";

    /// <summary>HTTP status of the CONNECT (200 when it was opened), 0 when no response was received or sent.</summary>
    public int Status { get; init; }

    public long BytesUpstream { get; init; }

    public long BytesDownstream { get; init; }

    public TimeSpan Duration { get; init; }

    public ConnectionEndReason EndReason { get; init; }

    /// <summary>For a failure: the cause and what went wrong, for the access log.</summary>
    public TunnelFailure? Failure { get; init; }

    public string Detail { get; init; } = "";

    /// <summary><c>namespace/name</c> of the authorization policy that decided, when one did.</summary>
    public string Policy { get; init; } = "";
}
