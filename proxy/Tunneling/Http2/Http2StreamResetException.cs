namespace Capture.Proxy.Tunneling.Http2;

/// <summary>The stream was reset (RST_STREAM, or refused by the peer's GOAWAY); maps to a TCP reset of the tunnelled connection.</summary>
internal sealed class Http2StreamResetException : IOException
{
    public Http2StreamResetException(Http2ErrorCode errorCode, string message)
        : base(message) => ErrorCode = errorCode;

    public Http2ErrorCode ErrorCode { get; }
}
