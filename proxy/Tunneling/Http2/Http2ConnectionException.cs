namespace Capture.Proxy.Tunneling.Http2;

/// <summary>A connection error (RFC 9113 §5.4.1): the peer broke the protocol and the connection ends with GOAWAY(<see cref="ErrorCode"/>).</summary>
internal sealed class Http2ConnectionException : IOException
{
    public Http2ConnectionException(Http2ErrorCode errorCode, string message)
        : base(message) => ErrorCode = errorCode;

    public Http2ErrorCode ErrorCode { get; }
}
