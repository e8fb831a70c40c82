namespace Capture.Proxy.Contracts;

/// <summary>
/// Relays connections the event loop handed off (<see cref="UpstreamRoute.HandOff"/>) its own way, in managed async
/// code: an HBONE tunnel connects through mTLS and HTTP/2 instead of splicing to the original destination.
/// </summary>
internal interface IConnectionHandler
{
    /// <summary>
    /// Takes ownership of <paramref name="connection"/>: its client socket (non-blocking, not in any epoll), and the
    /// duty to end it with exactly one <see cref="HandedOffConnection.Complete"/>. Called on the event-loop thread:
    /// start the work (on the thread pool) and return at once. Report what happens through the connection's methods
    /// (connected, failed, bytes), and stop when <see cref="HandedOffConnection.Aborted"/> fires (the drain period ran
    /// out or the proxy is stopping). An exception thrown from here ends the connection as <see cref="ConnectionEndReason.Failed"/>.
    /// </summary>
    void Handle(HandedOffConnection connection);
}
