namespace Capture.Init.Explain;

/// <summary>The transport of the simulated connection; the capture rules only distinguish tcp and udp.</summary>
internal enum TransportProtocol
{
    Tcp,
    Udp,
}
