namespace Capture.Proxy.Contracts;

/// <summary>How inbound connections reach the 15006 listener (capture-init's <c>-m</c>).</summary>
internal enum InboundMode
{
    /// <summary>nat REDIRECT: original destination from SO_ORIGINAL_DST; upstream bound to 127.0.0.6 / ::6.</summary>
    Redirect,

    /// <summary>mangle TPROXY: original destination is the accepted socket's local address; needs CAP_NET_ADMIN.</summary>
    Tproxy,
}
