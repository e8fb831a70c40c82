using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Connecting;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>
/// Connects a tunnelled stream to the app as the inbound capture path does, through the shared
/// <see cref="UpstreamSocketFactory"/>: from 127.0.0.6 / ::6 in REDIRECT mode (capture-init's
/// <c>-o lo -s 127.0.0.6/32 -j RETURN</c> keeps it from being captured again), or transparently from the tunnel
/// peer's address with SO_MARK in TPROXY mode (the app sees its real client).
/// </summary>
internal sealed class InboundUpstream(UpstreamSocketFactory sockets, TimeSpan timeout)
{
    /// <summary>A connected socket, or an exception (<see cref="SocketException"/>, <see cref="OperationCanceledException"/> on timeout).</summary>
    public async Task<Socket> ConnectAsync(IPEndPoint target, IPAddress peer, CancellationToken cancellationToken)
    {
        IPAddress source = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        if (source.AddressFamily != target.AddressFamily)
        {
            source = target.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any;
        }

        ConnectionInfo info = new(0, TrafficDirection.Inbound, NativeSocketAddress.From(source, 0), NativeSocketAddress.From(target),
            Stopwatch.GetTimestamp());
        Socket socket = sockets.OpenSocket(info);
        try
        {
            using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            await socket.ConnectAsync(target, deadline.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
