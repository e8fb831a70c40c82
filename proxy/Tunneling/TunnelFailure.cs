namespace Capture.Proxy.Tunneling;

/// <summary>Why a tunnel stream was not opened, as the <c>cause</c> label of <c>capture_hbone_streams_failed_total</c>.</summary>
internal enum TunnelFailure
{
    /// <summary>The TLS handshake failed (protocol, chain, no certificate).</summary>
    Tls,

    /// <summary>The peer's certificate was valid but not an identity we accept.</summary>
    Identity,

    /// <summary>The server answered 4xx (400 bad request, 401 denied by policy).</summary>
    ClientError,

    /// <summary>The server answered 5xx (503: its own upstream connect failed).</summary>
    ServerError,

    /// <summary>TCP to the peer's 15008 failed (outbound), or the connect to the local app failed (inbound).</summary>
    Connect,

    /// <summary>The HTTP/2 connection or stream failed before a response (GOAWAY, reset, protocol error).</summary>
    Protocol,
}
