using System.Net;
using Capture.NativeShims;

namespace Capture.Proxy.Contracts;

/// <summary>Identity of a proxied connection, passed by reference to <see cref="IProxyEvents"/>.</summary>
internal readonly struct ConnectionInfo
{
    internal ConnectionInfo(long id, TrafficDirection direction, NativeSocketAddress source, NativeSocketAddress destination, long acceptedTimestamp)
    {
        Id = id;
        Direction = direction;
        Source = source;
        Destination = destination;
        AcceptedTimestamp = acceptedTimestamp;
    }

    /// <summary>Process-unique, increasing connection number.</summary>
    public long Id { get; }

    public TrafficDirection Direction { get; }

    /// <summary>The client's address as the listener saw it.</summary>
    public NativeSocketAddress Source { get; }

    /// <summary>The original destination (empty when it could not be read).</summary>
    public NativeSocketAddress Destination { get; }

    /// <summary><see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> at accept.</summary>
    public long AcceptedTimestamp { get; }

    /// <summary>Allocates; for logging.</summary>
    public IPEndPoint SourceEndPoint => Source.ToIPEndPoint();

    /// <summary>Allocates; for logging. Null when the destination is unknown.</summary>
    public IPEndPoint? DestinationEndPoint => Destination.Family == System.Net.Sockets.AddressFamily.Unspecified ? null : Destination.ToIPEndPoint();
}
