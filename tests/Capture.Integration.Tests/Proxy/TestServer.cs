using System.Net;
using System.Net.Sockets;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Proxy;

/// <summary>
/// A TCP server in a namespace that runs <c>handler</c> for every accepted connection (then closes it), and remembers
/// who connected (to check the source address the proxy used).
/// </summary>
internal sealed class TestServer : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<Socket, CancellationToken, Task> _handler;

    /// <summary>Listens on <paramref name="address"/>, port <paramref name="port"/> (0: any free one, see <see cref="EndPoint"/>).</summary>
    public TestServer(TestNamespace ns, IPAddress address, Func<Socket, CancellationToken, Task> handler, int port = 0)
    {
        _handler = handler;
        _listener = NamespaceSockets.Listen(ns, address, port);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _ = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint { get; }

    public List<IPEndPoint> Clients { get; } = [];

    public int Accepted
    {
        get
        {
            lock (Clients)
            {
                return Clients.Count;
            }
        }
    }

    /// <summary>Echoes everything until the client shuts down its write side, then shuts down its own.</summary>
    public static async Task EchoAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
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
                return; // disposed
            }

            lock (Clients)
            {
                Clients.Add((IPEndPoint)client.RemoteEndPoint!);
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await _handler(client, _stop.Token);
                    }
                    catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
                    {
                        // The test checks what the client saw; a server-side reset or cancellation is part of some scenarios.
                    }
                }
            });
        }
    }
}
