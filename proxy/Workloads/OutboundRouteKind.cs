namespace Capture.Proxy.Workloads;

/// <summary>How a routed outbound connection travels.</summary>
internal enum OutboundRouteKind
{
    /// <summary>HBONE: an HTTP/2 CONNECT stream over mutual TLS to the workload's port 15008.</summary>
    Tunnel,

    /// <summary>
    /// Plain TCP to a workload chosen behind a service VIP (protocol TCP): the VIP itself may not be routable without
    /// kube-proxy, so the connection goes to the chosen workload's address and target port.
    /// </summary>
    Direct,
}
