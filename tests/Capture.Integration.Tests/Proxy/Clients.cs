using System.Net;
using System.Net.Sockets;
using System.Text;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Proxy;

/// <summary>Client-side exchanges used by the proxy tests, every one bounded in time.</summary>
internal static class Clients
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Connects from <paramref name="ns"/>, sends <paramref name="message"/>, shuts down writing, reads the whole reply.</summary>
    public static async Task<string> EchoAsync(TestNamespace ns, IPEndPoint server, string message)
    {
        using CancellationTokenSource timeout = new(Bound);
        using Socket socket = await NamespaceSockets.ConnectAsync(ns, server, timeout.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes(message), SocketFlags.None, timeout.Token);
        socket.Shutdown(SocketShutdown.Send);
        return Encoding.UTF8.GetString(await NamespaceSockets.ReadToEndAsync(socket, timeout.Token));
    }

    /// <summary>
    /// Reads until the peer closes; returns how the connection ended: <c>eof</c>, <c>reset</c> or <c>timeout</c>,
    /// with the bytes received.
    /// </summary>
    public static async Task<(string End, int Bytes)> ReadUntilClosedAsync(Socket socket, TimeSpan timeout)
    {
        using CancellationTokenSource cancellation = new(timeout);
        byte[] buffer = new byte[64 * 1024];
        int total = 0;
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation.Token)) > 0)
            {
                total += read;
            }

            return ("eof", total);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return ("reset", total);
        }
        catch (OperationCanceledException)
        {
            return ("timeout", total);
        }
    }
}
