using Capture.Proxy.Tunneling.Http2;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tunneling.Outbound;

/// <summary>The HBONE HTTP/2 client (<see cref="Http2ClientConnection"/>) as the pool's <see cref="ITunnelConnection"/>.</summary>
internal sealed class Http2TunnelConnection(Http2ClientConnection connection) : ITunnelConnection
{
    public int ActiveStreams => connection.ActiveStreams;

    public bool CanOpenStream => connection.CanOpenStream;

    public Task Completion => connection.Completion;

    public long IdleSinceTimestamp => connection.IdleSinceTimestamp;

    /// <summary>What <see cref="TunnelDialer"/> calls once TLS is up: preface, SETTINGS, read loop (ztunnel's settings).</summary>
    public static async Task<ITunnelConnection> StartAsync(Stream transport, TimeProvider time, ILogger logger, CancellationToken cancellationToken) =>
        new Http2TunnelConnection(await Http2ClientConnection.StartAsync(transport, Http2ClientSettings.Default, time, logger, cancellationToken)
            .ConfigureAwait(false));

    public async Task<TunnelConnectResult> ConnectAsync(string authority, IReadOnlyList<KeyValuePair<string, string>> headers,
        CancellationToken cancellationToken)
    {
        Http2ConnectResult result = await connection.ConnectAsync(authority, headers, cancellationToken).ConfigureAwait(false);
        return result.Stream is null
            ? new TunnelConnectResult(result.Status, null, null)
            : new TunnelConnectResult(result.Status, result.Stream, new StreamEnd(result.Stream));
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();

    private sealed class StreamEnd(Http2Stream stream) : ITunnelStreamEnd
    {
        public ValueTask CompleteWritesAsync(CancellationToken cancellationToken) => stream.CompleteWritesAsync(cancellationToken);

        // RFC 9113 §8.5: a reset of the TCP connection on our side of a CONNECT is signalled with CONNECT_ERROR.
        public void Abort() => stream.Abort(Http2ErrorCode.ConnectError);
    }
}
