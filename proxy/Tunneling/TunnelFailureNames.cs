namespace Capture.Proxy.Tunneling;

/// <summary>Metric label values for <see cref="TunnelFailure"/> (the causes: tls, identity, 4xx, 5xx, connect).</summary>
internal static class TunnelFailureNames
{
    public static string Label(TunnelFailure failure) => failure switch
    {
        TunnelFailure.Tls => "tls",
        TunnelFailure.Identity => "identity",
        TunnelFailure.ClientError => "4xx",
        TunnelFailure.ServerError => "5xx",
        TunnelFailure.Connect => "connect",
        TunnelFailure.Protocol => "protocol",
        _ => "other",
    };
}
