using System.Net;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Engine;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>
/// Connects a tunnelled stream to the app, as the inbound capture path does: from 127.0.0.6 / ::6 in REDIRECT mode
/// (capture-init's <c>-o lo -s 127.0.0.6/32 -j RETURN</c> keeps it from being captured again), or transparently from
/// the tunnel peer's address with SO_MARK in TPROXY mode (the app sees its real client).
/// </summary>
internal static class InboundUpstream
{
    private static readonly IPAddress s_passthroughV4 = IPAddress.Parse("127.0.0.6");
    private static readonly IPAddress s_passthroughV6 = IPAddress.Parse("::6");

    /// <summary>A connected socket, or an exception (<see cref="SocketException"/>, <see cref="OperationCanceledException"/> on timeout).</summary>
    public static async Task<Socket> ConnectAsync(IPEndPoint target, IPAddress peer, InboundMode mode, int tproxyMark, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        Socket socket = new(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            int fd = (int)socket.SafeHandle.DangerousGetHandle();
            if (mode == InboundMode.Tproxy)
            {
                Check(Sockets.SetTransparent(fd, target.AddressFamily, true), "IP_TRANSPARENT");
                Check(Sockets.SetMark(fd, tproxyMark), "SO_MARK");
                IPAddress source = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
                socket.Bind(new IPEndPoint(source.AddressFamily == target.AddressFamily ? source : Passthrough(target), 0));
            }
            else
            {
                socket.Bind(new IPEndPoint(Passthrough(target), 0));
            }

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

    private static IPAddress Passthrough(IPEndPoint target) =>
        target.AddressFamily == AddressFamily.InterNetworkV6 ? s_passthroughV6 : s_passthroughV4;

    private static void Check(Errno error, string option)
    {
        if (error != Errno.None)
        {
            throw new SocketException((int)error, $"setsockopt({option}) failed: {error}");
        }
    }
}
