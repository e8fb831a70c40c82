using Capture.NativeShims;

namespace Capture.Proxy.Contracts;

/// <summary>
/// What the engine reports, for metrics and the access log. Called on the event-loop threads, concurrently from
/// several loops, and for handed-off connections (<see cref="HandedOffConnection"/>) on their handler's threads:
/// implementations must be thread-safe, fast, non-blocking and must not throw.
/// </summary>
internal interface IProxyEvents
{
    /// <summary>A listener accepted a connection (before the original destination is checked).</summary>
    void ConnectionAccepted(in ConnectionInfo connection);

    /// <summary>The upstream handshake completed after <paramref name="attempts"/> attempt(s).</summary>
    void UpstreamConnected(in ConnectionInfo connection, TimeSpan connectDuration, int attempts);

    /// <summary>No upstream connection could be made; the client connection is reset next (and reported closed).</summary>
    void ConnectFailed(in ConnectionInfo connection, ConnectFailure cause, Errno error, int attempts);

    /// <summary>The original destination is one of our own listeners: refused with a reset (and reported closed).</summary>
    void LoopRefused(in ConnectionInfo connection);

    /// <summary>
    /// Bytes <paramref name="connection"/> delivered since its previous report: <paramref name="upstream"/> (client to
    /// destination) and <paramref name="downstream"/>, of which <paramref name="spliced"/> went through splice(2) and
    /// <paramref name="copied"/> through the copy path (their sum is <paramref name="upstream"/> + <paramref name="downstream"/>).
    /// The loop's periodic sweep (every 5 ms to 1 s) reports a connection that moved bytes since its last report; the
    /// close reports the remainder just before <see cref="ConnectionClosed"/>. A connection's reports add up to its
    /// summary's totals, so a sink counting bytes counts them here and not from the summary.
    /// </summary>
    void BytesRelayed(in ConnectionInfo connection, long upstream, long downstream, long spliced, long copied);

    /// <summary>Every accepted connection ends here exactly once, after its last <see cref="BytesRelayed"/>.</summary>
    void ConnectionClosed(in ConnectionSummary summary);

    /// <summary>accept4 failed for lack of resources (EMFILE/ENFILE/ENOBUFS/ENOMEM); a pending client was refused or delayed.</summary>
    void AcceptFailed(TrafficDirection direction, Errno error);
}
