namespace Capture.Proxy.Contracts;

/// <summary>Why an upstream connection attempt failed, as a metrics label.</summary>
internal enum ConnectFailure
{
    /// <summary>ECONNREFUSED: nothing listens there. Final, reported at once.</summary>
    Refused,

    /// <summary>ENETUNREACH / EHOSTUNREACH / ENETDOWN: no route. Final.</summary>
    Unreachable,

    /// <summary>No answer within the connect timeout (or ETIMEDOUT from the kernel).</summary>
    Timeout,

    /// <summary>The upstream reset during the handshake.</summary>
    Reset,

    /// <summary>EADDRNOTAVAIL: no local port/address to bind (transient, retried).</summary>
    AddressNotAvailable,

    /// <summary>EMFILE / ENFILE / ENOBUFS / ENOMEM: the proxy is out of descriptors or memory (transient, retried).</summary>
    ResourceExhausted,

    /// <summary>EACCES / EPERM: a firewall or missing capability refused the socket operation.</summary>
    PermissionDenied,

    /// <summary>Anything else.</summary>
    Other,
}
