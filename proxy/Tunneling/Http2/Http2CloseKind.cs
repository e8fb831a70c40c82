namespace Capture.Proxy.Tunneling.Http2;

/// <summary>Why an HTTP/2 connection ended.</summary>
internal enum Http2CloseKind
{
    /// <summary>Disposed by us (GOAWAY NO_ERROR sent).</summary>
    Local,

    /// <summary>The peer sent GOAWAY and the streams it let finish have finished (or it gave an error code).</summary>
    GoAway,

    /// <summary>The transport reached end of stream.</summary>
    TransportClosed,

    /// <summary>Reading or writing the transport failed.</summary>
    TransportFailed,

    /// <summary>A PING went unanswered for the configured timeout.</summary>
    PingTimeout,

    /// <summary>The peer broke the protocol; we sent GOAWAY with the error code.</summary>
    ProtocolError,
}
