namespace Capture.Proxy.Tunneling.Outbound;

/// <summary>
/// One HTTP/2 connection to a peer's 15008, as the pool sees it (<c>Http2ClientConnection</c> behind
/// <c>Http2TunnelConnection</c>; fakes in tests).
/// </summary>
internal interface ITunnelConnection : IAsyncDisposable
{
    /// <summary>Sends a CONNECT and waits for the response headers; a stream only for 2xx.</summary>
    Task<TunnelConnectResult> ConnectAsync(string authority, IReadOnlyList<KeyValuePair<string, string>> headers, CancellationToken cancellationToken);

    int ActiveStreams { get; }

    /// <summary>False once the connection is going away (GOAWAY, error) or at the peer's stream limit.</summary>
    bool CanOpenStream { get; }

    /// <summary>Completes when the connection has closed, for whatever reason.</summary>
    Task Completion { get; }

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> of the moment its last stream ended.</summary>
    long IdleSinceTimestamp { get; }
}
