namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>Facts of the HBONE protocol the outbound side relies on.</summary>
internal static class HboneInboundDefaults
{
    /// <summary>Every HBONE peer listens on 15008 (ztunnel, Istio sidecars); the workloads file has no field for it.</summary>
    public const int Port = 15008;
}
