namespace Capture.Proxy.Metrics;

/// <summary>How a connection ended; the <c>end</c> label and the access log's last word.</summary>
internal enum ConnectionEnd
{
    /// <summary>Both sides shut down in order (FIN each way).</summary>
    Completed,

    /// <summary>The client reset; the reset was passed to the destination.</summary>
    ClientReset,

    /// <summary>The destination reset; the reset was passed to the client.</summary>
    UpstreamReset,

    /// <summary>No bytes in either direction for the idle timeout.</summary>
    IdleTimeout,

    /// <summary>Still open when the drain duration ran out at shutdown.</summary>
    DrainTimeout,

    /// <summary>Never relayed: the upstream connect failed or the connection was refused (loop, no destination).</summary>
    Failed,

    /// <summary>A relay error other than a reset (see the cause).</summary>
    Error,
}
