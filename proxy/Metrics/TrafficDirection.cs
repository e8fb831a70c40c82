namespace Capture.Proxy.Metrics;

/// <summary>Which capture listener a connection came through; the <c>direction</c> label.</summary>
internal enum TrafficDirection
{
    /// <summary>From the app to somewhere else, through 15001.</summary>
    Outbound,

    /// <summary>From somewhere else to the app, through 15006.</summary>
    Inbound,
}
