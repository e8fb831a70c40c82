using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Capture.Peer;

/// <summary>
/// A Bookinfo-shaped app: answers every GET with its name and the addresses the connection had (so the demo can
/// show that the proxy, not the client, reached the app), and with <c>--call URL</c> first fetches a downstream
/// service and nests its reply. A failing downstream gives 502 with the reason.
/// </summary>
internal static class HttpServer
{
    private const int MaxRequestHead = 16 * 1024;
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(10);

    public static Task<int> RunAsync(PeerArgs options, CancellationToken cancellationToken)
    {
        (IPEndPoint endpoint, TimeSpan? duration) = TcpServer.ReadOptions(options, 9080);
        string name = options.String("name", "app");
        string? call = options.String("call");
        Dictionary<string, IPAddress> resolve = MiniHttp.ParseResolve(options.String("resolve"));
        options.ThrowIfUnused();
        if (call is not null)
        {
            _ = MiniHttp.ParseUrl(call, resolve); // a bad --call is a usage error now, not a 502 on the first request
        }

        return TcpServer.RunAsync("http-server", endpoint, duration, (s, ct) => ServeAsync(s, name, call, resolve, ct), cancellationToken);
    }

    private static async Task ServeAsync(Socket socket, string name, string? call, Dictionary<string, IPAddress> resolve, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(s_requestTimeout);
        string? requestLine = await ReadRequestLineAsync(socket, deadline.Token).ConfigureAwait(false);
        if (requestLine is null)
        {
            return;
        }

        var body = new StringBuilder();
        body.Append(name).Append(": ").Append(requestLine)
            .Append(" from ").Append(socket.RemoteEndPoint).Append(" to ").Append(socket.LocalEndPoint).Append('\n');
        int status = 200;
        if (call is not null)
        {
            try
            {
                MiniHttp.Response downstream = await MiniHttp.GetAsync(call, resolve, s_requestTimeout, deadline.Token).ConfigureAwait(false);
                status = downstream.Status is >= 200 and < 300 ? 200 : 502;
                foreach (string line in downstream.Body.TrimEnd('\n').Split('\n'))
                {
                    body.Append("  ").Append(line).Append('\n');
                }
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
            {
                status = 502;
                body.Append("  call ").Append(call).Append(" failed: ").Append(e.Message).Append('\n');
            }
        }

        Report.Human($"{name}: {requestLine} from {socket.RemoteEndPoint} -> {status}");
        byte[] payload = Encoding.UTF8.GetBytes(body.ToString());
        byte[] head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Bad Gateway")}\r\nContent-Type: text/plain\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n");
        await socket.SendAsync(head, SocketFlags.None, deadline.Token).ConfigureAwait(false);
        await socket.SendAsync(payload, SocketFlags.None, deadline.Token).ConfigureAwait(false);
        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<string?> ReadRequestLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[MaxRequestHead];
        int filled = 0;
        while (filled < buffer.Length)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            filled += read;
            string head = Encoding.ASCII.GetString(buffer, 0, filled);
            if (head.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                return head[..head.IndexOf("\r\n", StringComparison.Ordinal)].Replace(" HTTP/1.1", string.Empty, StringComparison.Ordinal);
            }
        }

        return null; // a head larger than 16 KiB is not something the demo sends
    }
}
