using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Capture.Peer;

/// <summary>
/// Just enough HTTP/1.1 for the demo: one GET per connection with <c>Connection: close</c>, replies read to EOF,
/// Content-Length and chunked bodies both understood (Kestrel, behind the proxy's admin ports, answers chunked).
/// </summary>
internal static class MiniHttp
{
    private const int MaxResponseBytes = 4 << 20; // metrics pages are a few KiB; anything bigger is a bug

    public readonly record struct Response(int Status, string StatusLine, string Body);

    /// <summary>Parses <c>http://host[:port][/path]</c>; <paramref name="resolve"/> maps host names to addresses (like curl --resolve).</summary>
    public static (IPEndPoint Endpoint, string Host, string Path) ParseUrl(string url, IReadOnlyDictionary<string, IPAddress> resolve)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme != "http")
        {
            throw new UsageException($"'{url}' is not an http:// URL");
        }

        IPAddress address = resolve.TryGetValue(uri.Host, out IPAddress? mapped) ? mapped
            : IPAddress.TryParse(uri.Host, out IPAddress? literal) ? literal
            : Dns.GetHostAddresses(uri.Host).FirstOrDefault()
              ?? throw new SocketException((int)SocketError.HostNotFound);
        return (new IPEndPoint(address, uri.Port), uri.Authority, uri.PathAndQuery);
    }

    public static Dictionary<string, IPAddress> ParseResolve(string? text)
    {
        var map = new Dictionary<string, IPAddress>(StringComparer.OrdinalIgnoreCase);
        foreach (string entry in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !IPAddress.TryParse(entry[(eq + 1)..], out IPAddress? address))
            {
                throw new UsageException($"--resolve wants HOST=IP[,HOST=IP...], got '{entry}'");
            }

            map[entry[..eq]] = address;
        }

        return map;
    }

    public static async Task<Response> GetAsync(string url, IReadOnlyDictionary<string, IPAddress> resolve, TimeSpan timeout, CancellationToken cancellationToken)
    {
        (IPEndPoint endpoint, string host, string path) = ParseUrl(url, resolve);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using Socket socket = await Net.ConnectAsync(endpoint, timeout, deadline.Token).ConfigureAwait(false);
            byte[] request = Encoding.ASCII.GetBytes(
                $"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: capture-peer\r\nAccept: */*\r\nConnection: close\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, deadline.Token).ConfigureAwait(false);

            using var received = new MemoryStream();
            byte[] buffer = new byte[16 * 1024];
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                received.Write(buffer, 0, read);
                if (received.Length > MaxResponseBytes)
                {
                    throw new IOException($"reply from {url} is larger than {MaxResponseBytes} bytes");
                }
            }

            return ParseResponse(received.ToArray(), url);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SocketException((int)SocketError.TimedOut);
        }
    }

    private static Response ParseResponse(byte[] raw, string url)
    {
        string text = Encoding.UTF8.GetString(raw);
        int headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headEnd < 0)
        {
            throw new IOException($"incomplete HTTP reply from {url} ({raw.Length} bytes)");
        }

        string[] head = text[..headEnd].Split("\r\n");
        string[] statusParts = head[0].Split(' ', 3);
        if (statusParts.Length < 2 || !int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
        {
            throw new IOException($"bad status line from {url}: '{head[0]}'");
        }

        string body = text[(headEnd + 4)..];
        bool chunked = head.Skip(1).Any(h => h.StartsWith("transfer-encoding:", StringComparison.OrdinalIgnoreCase)
                                             && h.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        return new Response(status, head[0], chunked ? Dechunk(body, url) : body);
    }

    private static string Dechunk(string body, string url)
    {
        var result = new StringBuilder();
        int at = 0;
        while (true)
        {
            int lineEnd = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                throw new IOException($"truncated chunked body from {url}");
            }

            string sizeText = body[at..lineEnd].Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int size))
            {
                throw new IOException($"bad chunk size '{sizeText}' from {url}");
            }

            if (size == 0)
            {
                return result.ToString();
            }

            // Sizes count bytes; the metrics text is ASCII, so characters and bytes agree.
            result.Append(body, lineEnd + 2, Math.Min(size, body.Length - lineEnd - 2));
            at = lineEnd + 2 + size + 2;
        }
    }
}
