namespace Capture.Proxy;

/// <summary>How capture-init's rules hand inbound connections to the proxy (istio-iptables' <c>-m</c>).</summary>
internal enum InterceptionMode
{
    /// <summary>nat REDIRECT: the original destination is read with <c>SO_ORIGINAL_DST</c>; needs no capability.</summary>
    Redirect,

    /// <summary>mangle TPROXY: the listener is <c>IP_TRANSPARENT</c> and the client address is preserved; needs CAP_NET_ADMIN.</summary>
    Tproxy,
}
