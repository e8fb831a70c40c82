using System.Net;
using System.Net.Sockets;

namespace Capture.Peer;

/// <summary>
/// The server half of the short-connection test: read SIZE bytes, answer SIZE bytes, close. The server closes
/// first so TIME_WAIT stays on this side and the client's ephemeral ports do not run out during a long run.
/// </summary>
internal static class CpsServer
{
    public static Task<int> RunAsync(PeerArgs options, CancellationToken cancellationToken)
    {
        (IPEndPoint endpoint, TimeSpan? duration) = TcpServer.ReadOptions(options, 9002);
        int size = options.Int("size", 1024, 1, 1 << 20);
        options.ThrowIfUnused();
        byte[] reply = new byte[size];
        Array.Fill(reply, (byte)'r');
        return TcpServer.RunAsync("cps-server", endpoint, duration, (s, ct) => AnswerAsync(s, size, reply, ct), cancellationToken);
    }

    private static async Task AnswerAsync(Socket socket, int size, byte[] reply, CancellationToken cancellationToken)
    {
        byte[] request = new byte[size];
        if (await Net.ReceiveExactlyAsync(socket, request, cancellationToken).ConfigureAwait(false))
        {
            await socket.SendAsync(reply, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }

        socket.Shutdown(SocketShutdown.Send);
    }
}
