using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Metrics;

namespace Capture.Proxy.Dns;

/// <summary>
/// Sends a query unchanged to the nameservers, one at a time, each given <see cref="Timeout"/> (pilot-agent's 5 s),
/// over the transport the client used, and returns the first answer (null when none answered). A UDP attempt uses a
/// fresh socket (a new random source port per query) connected to the nameserver, and takes only an answer with the
/// query's id. The proxy runs as UID 1337, so these queries are not captured again.
/// </summary>
internal sealed class DnsForwarder(IReadOnlyList<IPEndPoint> nameservers, DnsMetrics metrics, TimeSpan timeout)
{
    public TimeSpan Timeout { get; } = timeout;

    public IReadOnlyList<IPEndPoint> Nameservers { get; } = nameservers;

    public async Task<byte[]?> ForwardAsync(ReadOnlyMemory<byte> query, bool tcp, CancellationToken cancellationToken)
    {
        int id = DnsWire.Id(query.Span);
        foreach (IPEndPoint server in Nameservers)
        {
            long started = Stopwatch.GetTimestamp();
            using CancellationTokenSource attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(Timeout);
            try
            {
                byte[] answer = tcp
                    ? await ForwardTcpAsync(server, query, attempt.Token).ConfigureAwait(false)
                    : await ForwardUdpAsync(server, query, id, attempt.Token).ConfigureAwait(false);
                metrics.UpstreamAnswered(Stopwatch.GetElapsedTime(started));
                return answer;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                metrics.UpstreamFailed(timeout: true);
            }
            catch (Exception ex) when (ex is SocketException or IOException or InvalidDataException)
            {
                metrics.UpstreamFailed(timeout: false);
            }
        }

        return null;
    }

    private static async Task<byte[]> ForwardUdpAsync(IPEndPoint server, ReadOnlyMemory<byte> query, int id, CancellationToken cancellationToken)
    {
        using Socket socket = new(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(DnsWire.MaxMessageSize);
        try
        {
            while (true)
            {
                int received = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                // A stray or spoofed datagram with another id is ignored; the timeout still runs.
                if (received >= DnsWire.HeaderSize && DnsWire.Id(buffer.AsSpan(0, received)) == id)
                {
                    return buffer.AsSpan(0, received).ToArray();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<byte[]> ForwardTcpAsync(IPEndPoint server, ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        using Socket socket = new(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
        byte[] prefix = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)query.Length);
        await socket.SendAsync(prefix, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(query, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        await ReceiveExactlyAsync(socket, prefix, cancellationToken).ConfigureAwait(false);
        int length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
        if (length < DnsWire.HeaderSize)
        {
            throw new InvalidDataException($"a {length}-byte answer");
        }

        byte[] answer = new byte[length];
        await ReceiveExactlyAsync(socket, answer, cancellationToken).ConfigureAwait(false);
        return answer;
    }

    internal static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await socket.ReceiveAsync(buffer[read..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("the connection closed mid-message");
            }

            read += n;
        }
    }
}
