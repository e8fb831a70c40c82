using Capture.Proxy.Contracts;


namespace Capture.Proxy.Metrics;

/// <summary>
/// Why a connection failed; the <c>cause</c> label of <c>capture_connections_failed_total</c>. The connect causes mirror
/// <see cref="ConnectFailure"/>; the rest are failures that happen without a connect attempt or after it.
/// </summary>
internal enum FailureCause
{
    /// <summary>ECONNREFUSED from the destination.</summary>
    Refused,

    /// <summary>No route to the destination.</summary>
    Unreachable,

    /// <summary>No answer within the connect timeout.</summary>
    Timeout,

    /// <summary>The destination reset during the handshake.</summary>
    Reset,

    /// <summary>No local address or port to connect from.</summary>
    AddressNotAvailable,

    /// <summary>Out of descriptors or memory.</summary>
    ResourceExhausted,

    /// <summary>A firewall or a missing capability refused the socket operation.</summary>
    PermissionDenied,

    /// <summary>Another connect error (the access log has the errno).</summary>
    Other,

    /// <summary>The original destination is one of the proxy's own listeners.</summary>
    Loop,

    /// <summary>The original destination could not be read.</summary>
    NoOriginalDestination,

    /// <summary>An unexpected error on the relay path after connecting.</summary>
    RelayError,
}
