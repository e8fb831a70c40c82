using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Listening;

/// <summary>
/// Learns where an accepted connection was really going. Production uses <see cref="OriginalDestinationResolver"/>;
/// tests substitute a fixed destination so the engine runs on loopback without iptables.
/// </summary>
internal interface IOriginalDestinationResolver
{
    /// <summary>Called on the event-loop thread for every accepted connection; must not block.</summary>
    Errno Resolve(int acceptedFd, TrafficDirection direction, AddressFamily family, out NativeSocketAddress destination);
}
