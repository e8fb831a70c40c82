using System.Net;
using System.Net.Sockets;

namespace Capture.Proxy.Tests.Relaying;

/// <summary>A loopback TCP server that runs <c>handler</c> for each accepted socket.</summary>
internal sealed class TestServer : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _handlers = [];

    public TestServer(Func<Socket, Task> handler, int backlog = 512)
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(backlog);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _ = AcceptLoopAsync(handler);
    }

    public IPEndPoint EndPoint { get; }

    public List<EndPoint> RemoteEndPoints { get; } = [];

    public List<Exception> Failures { get; } = [];

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
    }

    private async Task AcceptLoopAsync(Func<Socket, Task> handler)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return; // the test is over
            }

            lock (RemoteEndPoints)
            {
                RemoteEndPoints.Add(accepted.RemoteEndPoint!);
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    using (accepted)
                    {
                        await handler(accepted);
                    }
                }
                catch (Exception ex)
                {
                    lock (Failures)
                    {
                        Failures.Add(ex);
                    }
                }
            });
        }
    }
}
