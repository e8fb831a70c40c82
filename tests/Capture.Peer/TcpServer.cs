using System.Net;
using System.Net.Sockets;

namespace Capture.Peer;

/// <summary>
/// Accept loop shared by the server verbs: one task per connection, a failing connection never stops the loop.
/// Runs until cancelled (SIGTERM/SIGINT) or until <c>--duration</c> elapses.
/// </summary>
internal static class TcpServer
{
    // Large enough for 10,000 idle connections opened 256 at a time and for bursts of short connections;
    // the kernel caps it at net.core.somaxconn (4096 by default since Linux 5.4).
    private const int Backlog = 4096;

    /// <summary>Reads <c>--bind</c> (default 0.0.0.0), <c>--port</c> and <c>--duration</c> (default: until a signal).</summary>
    public static (IPEndPoint Endpoint, TimeSpan? Duration) ReadOptions(PeerArgs options, int defaultPort)
    {
        IPAddress bind = options.Address("bind", "0.0.0.0");
        int port = options.Int("port", defaultPort, 1, 65535);
        TimeSpan? duration = options.String("duration") is null ? null : options.Seconds("duration", 1);
        return (new IPEndPoint(bind, port), duration);
    }

    public static async Task<int> RunAsync(
        string verb, IPEndPoint endpoint, TimeSpan? duration, Func<Socket, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (duration is { } d)
        {
            stop.CancelAfter(d);
        }

        using var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        if (endpoint.AddressFamily == AddressFamily.InterNetworkV6 && endpoint.Address.Equals(IPAddress.IPv6Any))
        {
            listener.DualMode = true;
        }

        listener.Bind(endpoint);
        listener.Listen(Backlog);
        Report.Human($"{verb} listening on {endpoint}");

        long accepted = 0;
        try
        {
            while (true)
            {
                Socket connection = await listener.AcceptAsync(stop.Token).ConfigureAwait(false);
                accepted++;
                connection.NoDelay = true;
                _ = ServeAsync(connection, handle, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Report.Result(verb, ("accepted", accepted));
            return ExitCodes.Success;
        }
    }

    private static async Task ServeAsync(Socket connection, Func<Socket, CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        try
        {
            await handle(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            // A peer that resets or a server that is stopping ends this connection only; the accept loop goes on.
        }
        finally
        {
            connection.Dispose();
        }
    }
}
