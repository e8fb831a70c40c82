using Capture.Proxy.Contracts;


namespace Capture.Proxy.Metrics;

/// <summary>Prometheus label pairs for the enums, spelled once (snake case, as Prometheus label values usually are).</summary>
internal static class Label
{
    public static KeyValuePair<string, string> Of(TrafficDirection direction) => new("direction", Name(direction));

    public static KeyValuePair<string, string> Of(FailureCause cause) => new("cause", Name(cause));

    public static KeyValuePair<string, string> Of(ConnectionEndReason end) => new("end", Name(end));

    public static string Name(TrafficDirection direction) => direction switch
    {
        TrafficDirection.Outbound => "outbound",
        TrafficDirection.Inbound => "inbound",
        _ => "unknown",
    };

    public static string Name(FailureCause cause) => cause switch
    {
        FailureCause.Refused => "refused",
        FailureCause.Unreachable => "unreachable",
        FailureCause.Timeout => "timeout",
        FailureCause.Reset => "reset",
        FailureCause.AddressNotAvailable => "address_not_available",
        FailureCause.ResourceExhausted => "resource_exhausted",
        FailureCause.PermissionDenied => "permission_denied",
        FailureCause.Other => "other",
        FailureCause.Loop => "loop",
        FailureCause.NoOriginalDestination => "no_original_destination",
        FailureCause.RelayError => "relay_error",
        _ => "unknown",
    };

    public static string Name(ConnectionEndReason end) => end switch
    {
        ConnectionEndReason.Completed => "completed",
        ConnectionEndReason.ClientReset => "client_reset",
        ConnectionEndReason.UpstreamReset => "upstream_reset",
        ConnectionEndReason.ConnectFailed => "connect_failed",
        ConnectionEndReason.LoopRefused => "loop_refused",
        ConnectionEndReason.NoOriginalDestination => "no_original_destination",
        ConnectionEndReason.IdleTimeout => "idle_timeout",
        ConnectionEndReason.Drained => "drain_timeout",
        ConnectionEndReason.Failed => "failed",
        ConnectionEndReason.Denied => "denied",
        _ => "unknown",
    };
}
