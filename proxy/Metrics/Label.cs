namespace Capture.Proxy.Metrics;

/// <summary>Prometheus label pairs for the enums, spelled once (snake case, as Prometheus label values usually are).</summary>
internal static class Label
{
    public static KeyValuePair<string, string> Of(TrafficDirection direction) => new("direction", Name(direction));

    public static KeyValuePair<string, string> Of(FailureCause cause) => new("cause", Name(cause));

    public static KeyValuePair<string, string> Of(ConnectionEnd end) => new("end", Name(end));

    public static string Name(TrafficDirection direction) => direction switch
    {
        TrafficDirection.Outbound => "outbound",
        TrafficDirection.Inbound => "inbound",
        _ => "unknown",
    };

    public static string Name(FailureCause cause) => cause switch
    {
        FailureCause.ConnectionRefused => "connection_refused",
        FailureCause.ConnectTimeout => "connect_timeout",
        FailureCause.Unreachable => "unreachable",
        FailureCause.Loop => "loop",
        FailureCause.NoOriginalDestination => "no_original_destination",
        FailureCause.DescriptorLimit => "descriptor_limit",
        FailureCause.OutOfMemory => "out_of_memory",
        FailureCause.RelayError => "relay_error",
        FailureCause.Other => "other",
        _ => "unknown",
    };

    public static string Name(ConnectionEnd end) => end switch
    {
        ConnectionEnd.Completed => "completed",
        ConnectionEnd.ClientReset => "client_reset",
        ConnectionEnd.UpstreamReset => "upstream_reset",
        ConnectionEnd.IdleTimeout => "idle_timeout",
        ConnectionEnd.DrainTimeout => "drain_timeout",
        ConnectionEnd.Failed => "failed",
        ConnectionEnd.Error => "error",
        _ => "unknown",
    };
}
