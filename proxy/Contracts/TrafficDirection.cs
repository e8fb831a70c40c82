namespace Capture.Proxy.Contracts;

/// <summary>Which capture listener accepted a connection.</summary>
internal enum TrafficDirection
{
    /// <summary>The app's own outgoing connection, redirected to 15001.</summary>
    Outbound,

    /// <summary>A connection to the app from outside, redirected or TPROXY'd to 15006.</summary>
    Inbound,
}
