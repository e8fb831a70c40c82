namespace Capture.Proxy.Tunneling.Http2;

/// <summary>A header block HPACK cannot decode: a connection error of type COMPRESSION_ERROR (RFC 9113 §4.3).</summary>
internal sealed class HpackDecodingException : Exception
{
    public HpackDecodingException(string message)
        : base(message)
    {
    }
}
