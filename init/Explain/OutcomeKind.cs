namespace Capture.Init.Explain;

/// <summary>Where the connection ends up, the part of a verdict tools compare.</summary>
internal enum OutcomeKind
{
    /// <summary>nat REDIRECT through ISTIO_REDIRECT: to the outbound capture port (15001).</summary>
    OutboundCapture,

    /// <summary>nat REDIRECT through ISTIO_IN_REDIRECT: to the inbound capture port (15006).</summary>
    InboundCapture,

    /// <summary>nat REDIRECT of port 53 through ISTIO_OUTPUT_DNS: to the DNS proxy (15053).</summary>
    DnsCapture,

    /// <summary>Another REDIRECT (rules this tool did not write).</summary>
    Redirected,

    /// <summary>mangle TPROXY: handed to the transparent socket on the on-port, with the TPROXY mark.</summary>
    TProxy,

    /// <summary>An established TPROXY connection marked by ISTIO_DIVERT, routed to its local socket.</summary>
    Diverted,

    /// <summary>Delivered to its destination untouched.</summary>
    NotCaptured,

    /// <summary>Dropped (DROP target or a DROP policy).</summary>
    Dropped,
}
