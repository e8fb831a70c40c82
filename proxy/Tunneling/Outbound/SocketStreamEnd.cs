using System.Net.Sockets;

namespace Capture.Proxy.Tunneling.Outbound;

/// <summary>A plain TCP upstream as the "tunnel" side of a relay: FIN with shutdown, reset with SO_LINGER 0.</summary>
internal sealed class SocketStreamEnd(Socket socket) : ITunnelStreamEnd
{
    public ValueTask CompleteWritesAsync(CancellationToken cancellationToken)
    {
        socket.Shutdown(SocketShutdown.Send);
        return ValueTask.CompletedTask;
    }

    public void Abort()
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed: nothing left to reset.
        }

        socket.Close();
    }
}
