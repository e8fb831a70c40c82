using System.Net;
using System.Net.Sockets;

namespace Capture.Proxy.Tests.Tunneling;

/// <summary>A loopback TCP echo: every byte back, FIN after the client's FIN; remembers the peers it saw.</summary>
internal sealed class EchoServer : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _stop = new();

    public EchoServer()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        _ = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public List<IPEndPoint> Peers { get; } = [];

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (Peers)
            {
                Peers.Add((IPEndPoint)client.RemoteEndPoint!);
            }

            _ = EchoAsync(client);
        }
    }

    private static async Task EchoAsync(Socket client)
    {
        using (client)
        {
            byte[] buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    int read = await client.ReceiveAsync(buffer, SocketFlags.None);
                    if (read == 0)
                    {
                        client.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    await client.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                }
            }
            catch (SocketException)
            {
                // The other side reset: nothing left to echo.
            }
        }
    }
}
