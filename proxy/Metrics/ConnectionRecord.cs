using System.Net;

namespace Capture.Proxy.Metrics;

/// <summary>Everything known about a connection when it ends: one access-log line and one update of the counters.</summary>
internal readonly record struct ConnectionRecord(
    TrafficDirection Direction,
    EndPoint? Source,
    EndPoint? Destination,
    long BytesUpstream,
    long BytesDownstream,
    long BytesSpliced,
    TimeSpan Duration,
    ConnectionEnd End,
    FailureCause? Failure);
