namespace Capture.Init.Configuration;

/// <summary>Whether IPv6 rules are generated (<c>--ipv6</c>, a Capture addition; istio-iptables only detects).</summary>
internal enum Ipv6Mode
{
    /// <summary>Detected as Istio does: on when the pod's first non-loopback, non-link-local address is IPv6 (with --dual-stack: when any is).</summary>
    Auto,

    /// <summary>Always generate IPv6 rules.</summary>
    On,

    /// <summary>Never generate IPv6 rules.</summary>
    Off,
}
