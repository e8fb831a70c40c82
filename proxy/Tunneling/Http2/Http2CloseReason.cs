namespace Capture.Proxy.Tunneling.Http2;

/// <summary>How a connection ended: the kind, the HTTP/2 error code involved (sent or received), and a message for logs.</summary>
internal readonly record struct Http2CloseReason(Http2CloseKind Kind, Http2ErrorCode ErrorCode, string Message)
{
    public override string ToString() => Message;
}
