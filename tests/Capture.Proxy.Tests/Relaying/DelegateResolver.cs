using System.Net;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Contracts;
using Capture.Proxy.Listening;

namespace Capture.Proxy.Tests.Relaying;

/// <summary>A resolver whose destination the test sets after the engine started (e.g. to the engine's own port).</summary>
internal sealed class DelegateResolver : IOriginalDestinationResolver
{
    public IPEndPoint? Destination { get; set; }

    public Errno Resolve(int acceptedFd, TrafficDirection direction, AddressFamily family, out NativeSocketAddress destination)
    {
        IPEndPoint? target = Destination;
        destination = target is null ? default : NativeSocketAddress.From(target);
        return target is null ? Errno.ENOENT : Errno.None;
    }
}
