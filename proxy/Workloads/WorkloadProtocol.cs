namespace Capture.Proxy.Workloads;

/// <summary>How connections to a workload travel (ztunnel's <c>protocol</c>).</summary>
internal enum WorkloadProtocol
{
    /// <summary>Plain TCP to the workload: no tunnel, no identity (ztunnel's default).</summary>
    Tcp,

    /// <summary>HTTP/2 CONNECT over mutual TLS to the workload's port 15008.</summary>
    Hbone,
}
