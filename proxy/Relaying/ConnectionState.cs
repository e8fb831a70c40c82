namespace Capture.Proxy.Relaying;

internal enum ConnectionState
{
    /// <summary>Upstream handshake in progress (EPOLLOUT pending).</summary>
    Connecting,

    /// <summary>A transient connect failure; the next attempt is due on the loop's timer (see <see cref="Connecting.ConnectRetry"/>).</summary>
    RetryWait,

    /// <summary>Both sockets connected; bytes flow.</summary>
    Relaying,

    Closed,
}
