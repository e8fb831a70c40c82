using System.Net.Sockets;

namespace Capture.Peer;

/// <summary>Echoes every byte back until the peer closes: the rr-server of the latency test and the idle-server.</summary>
internal static class EchoServer
{
    // Small on purpose: 10,000 idle connections each hold one buffer while their receive is pending.
    private const int BufferSize = 4096;

    public static Task<int> RunAsync(string verb, PeerArgs options, CancellationToken cancellationToken)
    {
        (System.Net.IPEndPoint endpoint, TimeSpan? duration) = TcpServer.ReadOptions(options, 9000);
        options.ThrowIfUnused();
        return TcpServer.RunAsync(verb, endpoint, duration, EchoAsync, cancellationToken);
    }

    private static async Task EchoAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[BufferSize];
        while (true)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                socket.Shutdown(SocketShutdown.Send); // forward the client's FIN so it sees an orderly end
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }
}
