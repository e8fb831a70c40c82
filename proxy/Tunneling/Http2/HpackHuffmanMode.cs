namespace Capture.Proxy.Tunneling.Http2;

/// <summary>When the encoder Huffman-codes string literals (RFC 7541 §5.2).</summary>
internal enum HpackHuffmanMode
{
    Never,
    Always,

    /// <summary>Only when the Huffman form is shorter than the raw octets.</summary>
    WhenShorter,
}
