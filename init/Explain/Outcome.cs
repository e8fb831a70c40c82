using System.Net;

namespace Capture.Init.Explain;

/// <summary>The verdict: what happens to the connection, in a kind tools compare and a sentence people read.</summary>
internal sealed record Outcome
{
    public required OutcomeKind Kind { get; init; }

    /// <summary>The verdict in plain words, e.g. "redirected to 15001 (outbound capture)", "bypassed: owner UID 1337".</summary>
    public required string Summary { get; init; }

    /// <summary>The local port the connection is redirected or TPROXYed to; null when not captured.</summary>
    public int? Port { get; init; }

    /// <summary>The packet mark after the rules (TPROXY and DIVERT set it); 0 when none was set.</summary>
    public uint Mark { get; init; }

    /// <summary>Destination the proxy reads back (SO_ORIGINAL_DST, or the local address under TPROXY); null when not captured.</summary>
    public IPEndPoint? OriginalDestination { get; init; }

    /// <summary>The rule that decided, e.g. <c>nat ISTIO_OUTPUT #3: -A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN</c>; null when none did.</summary>
    public string? DecidingRule { get; init; }
}
