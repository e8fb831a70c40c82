using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Listening;

/// <summary>
/// REDIRECT: SO_ORIGINAL_DST (IPv4) / IP6T_SO_ORIGINAL_DST (IPv6) by the listener's family.
/// TPROXY (inbound only): the accepted socket's local address is the original destination.
/// </summary>
internal sealed class OriginalDestinationResolver(InboundMode inboundMode) : IOriginalDestinationResolver
{
    public Errno Resolve(int acceptedFd, TrafficDirection direction, AddressFamily family, out NativeSocketAddress destination) =>
        direction == TrafficDirection.Inbound && inboundMode == InboundMode.Tproxy
            ? Sockets.GetLocalAddress(acceptedFd, out destination)
            : OriginalDestination.DangerousTryGet(acceptedFd, family, out destination);
}
