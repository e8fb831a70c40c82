namespace Capture.Proxy.Contracts;

/// <summary>Which capture listeners a drain closes.</summary>
internal enum DrainScope
{
    /// <summary>Inbound only: the pod is going away, but its app may still call out while it shuts down (SIGTERM, as Istio drains, istio/istio#36618).</summary>
    InboundOnly,

    /// <summary>Both directions (<c>POST /drain</c>).</summary>
    AllListeners,
}
