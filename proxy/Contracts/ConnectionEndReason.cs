namespace Capture.Proxy.Contracts;

/// <summary>How a proxied connection ended (the access log's "how it ended").</summary>
internal enum ConnectionEndReason
{
    /// <summary>Both directions finished with FIN after all bytes were delivered.</summary>
    Completed,

    /// <summary>The client reset (or its socket failed); the upstream was reset in turn.</summary>
    ClientReset,

    /// <summary>The upstream reset (or its socket failed); the client was reset in turn.</summary>
    UpstreamReset,

    /// <summary>No upstream connection could be made; the client was reset.</summary>
    ConnectFailed,

    /// <summary>The original destination is one of the proxy's own listeners; refused with a reset.</summary>
    LoopRefused,

    /// <summary>The original destination could not be read (not a redirected connection).</summary>
    NoOriginalDestination,

    /// <summary>No bytes moved for longer than the idle timeout; both sides closed.</summary>
    IdleTimeout,

    /// <summary>Still open when the drain period ran out (or the engine stopped); both sides reset.</summary>
    Drained,

    /// <summary>An unexpected error on the relay path (logged as a warning).</summary>
    Failed,

    /// <summary>An authorization policy denied the inbound connection; reset before any upstream connect.</summary>
    Denied,
}
