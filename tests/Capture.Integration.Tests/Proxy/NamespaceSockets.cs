using System.Net;
using System.Net.Sockets;
using System.Text;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Proxy;

/// <summary>
/// Sockets that live in a test namespace: created on a setns thread (<see cref="TestNamespace.Run{T}(Func{T})"/>), so
/// they belong to that namespace for life and can then be used from any thread, with ordinary async calls.
/// </summary>
internal static class NamespaceSockets
{
    public static Socket Listen(TestNamespace ns, IPAddress address, int port = 0, int backlog = 2048) => ns.Run(() =>
    {
        Socket socket = new(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    });

    /// <summary>An unconnected TCP socket of <paramref name="family"/> in <paramref name="ns"/>.</summary>
    public static Socket Create(TestNamespace ns, AddressFamily family) =>
        ns.Run(() => new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });

    /// <summary>Many unconnected sockets created in one setns thread (cheaper than a thread each).</summary>
    public static Socket[] CreateMany(TestNamespace ns, AddressFamily family, int count) =>
        ns.Run(() => Enumerable.Range(0, count).Select(_ => new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }).ToArray());

    public static async Task<Socket> ConnectAsync(TestNamespace ns, IPEndPoint remote, CancellationToken cancellationToken)
    {
        Socket socket = Create(ns, remote.AddressFamily);
        try
        {
            await socket.ConnectAsync(remote, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A minimal HTTP/1.0 GET from inside <paramref name="ns"/>: status code and body.</summary>
    public static async Task<(int Status, string Body)> HttpGetAsync(TestNamespace ns, IPEndPoint server, string path, string method = "GET")
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(5));
        using Socket socket = await ConnectAsync(ns, server, timeout.Token);
        string host = server.ToString();
        await socket.SendAsync(Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Length: 0\r\n\r\n"), timeout.Token);
        byte[] response = await ReadToEndAsync(socket, timeout.Token);
        string text = Encoding.UTF8.GetString(response);
        int status = int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        int bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (status, bodyStart < 0 ? "" : text[(bodyStart + 4)..]);
    }

    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        using MemoryStream all = new();
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return all.ToArray();
    }
}
