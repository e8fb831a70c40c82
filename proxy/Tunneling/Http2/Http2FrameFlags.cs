namespace Capture.Proxy.Tunneling.Http2;

/// <summary>Frame flags (RFC 9113 §6); END_STREAM and ACK share bit 0 on different frame types.</summary>
[Flags]
internal enum Http2FrameFlags : byte
{
    None = 0x0,
    EndStream = 0x1,
#pragma warning disable CA1069 // RFC 9113 gives bit 0 two names: END_STREAM on DATA/HEADERS, ACK on SETTINGS/PING.
    Ack = 0x1,
#pragma warning restore CA1069
    EndHeaders = 0x4,
    Padded = 0x8,
    Priority = 0x20,
}
