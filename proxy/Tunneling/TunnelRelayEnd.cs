namespace Capture.Proxy.Tunneling;

/// <summary>Which side ended a tunnel relay, and how.</summary>
internal enum TunnelRelayEnd
{
    /// <summary>FIN and END_STREAM both ways after every byte was delivered.</summary>
    Completed,

    /// <summary>The socket side reset (or failed); the stream was reset in turn.</summary>
    SocketReset,

    /// <summary>The tunnel stream was reset (or its connection failed); the socket was reset in turn.</summary>
    TunnelReset,

    /// <summary>Stopped from outside (the drain ran out); both sides reset.</summary>
    Stopped,
}
