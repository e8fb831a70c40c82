namespace Capture.Proxy.Relaying;

internal enum ConnectionState
{
    /// <summary>Upstream handshake in progress (EPOLLOUT pending).</summary>
    Connecting,

    /// <summary>A transient connect failure; the retry policy decides on the next attempt.</summary>
    RetryWait,

    /// <summary>Both sockets connected; bytes flow.</summary>
    Relaying,

    Closed,
}
