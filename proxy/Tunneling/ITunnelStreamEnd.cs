namespace Capture.Proxy.Tunneling;

/// <summary>The tunnel side of a relayed connection: how to send END_STREAM (a FIN) and RST_STREAM (a reset).</summary>
internal interface ITunnelStreamEnd
{
    /// <summary>No more bytes from us: END_STREAM, as the app's FIN.</summary>
    ValueTask CompleteWritesAsync(CancellationToken cancellationToken);

    /// <summary>Reset the stream, as the app's RST (or a failure on our side).</summary>
    void Abort();
}
