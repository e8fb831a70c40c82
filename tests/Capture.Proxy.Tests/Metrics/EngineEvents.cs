using System.Diagnostics;
using System.Net;
using Capture.NativeShims;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Tests.Metrics;

/// <summary>Builds the engine's event structs the way the relay would report them.</summary>
internal static class EngineEvents
{
    public static ConnectionInfo Info(TrafficDirection direction, string source = "10.1.2.1:40123", string? destination = "10.1.2.2:8080") =>
        new(1, direction, NativeSocketAddress.From(IPEndPoint.Parse(source)),
            destination is null ? default : NativeSocketAddress.From(IPEndPoint.Parse(destination)), Stopwatch.GetTimestamp());

    public static ConnectionSummary Closed(TrafficDirection direction, ConnectionEndReason end, long up = 0, long down = 0,
        long spliced = 0, long copied = 0, Errno error = Errno.None, double durationMs = 12, string? destination = "10.1.2.2:8080") =>
        new(Info(direction, destination: destination), end, error, up, down, spliced, copied, TimeSpan.FromMilliseconds(durationMs));
}
