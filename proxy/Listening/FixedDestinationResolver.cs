using System.Net;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Listening;

/// <summary>Sends every connection of a direction to a fixed endpoint: the seam unprivileged tests use instead of iptables.</summary>
internal sealed class FixedDestinationResolver(IPEndPoint? outbound, IPEndPoint? inbound) : IOriginalDestinationResolver
{
    private readonly NativeSocketAddress _outbound = outbound is null ? default : NativeSocketAddress.From(outbound);
    private readonly NativeSocketAddress _inbound = inbound is null ? default : NativeSocketAddress.From(inbound);

    public Errno Resolve(int acceptedFd, TrafficDirection direction, AddressFamily family, out NativeSocketAddress destination)
    {
        destination = direction == TrafficDirection.Outbound ? _outbound : _inbound;
        return destination.Family == AddressFamily.Unspecified ? Errno.ENOENT : Errno.None;
    }
}
