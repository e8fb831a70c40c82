using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Dns;

namespace Capture.Proxy.Tests.Dns;

/// <summary>
/// A nameserver on 127.0.0.1 for the in-process tests: answers every A query with 192.0.2.1 over UDP and TCP, or,
/// when <c>silent</c>, reads queries and never answers. (The integration tests use dnsmasq.)
/// </summary>
internal sealed class FakeNameserver : IDisposable
{
    private readonly Socket _udp;
    private readonly Socket _tcp;
    private readonly bool _silent;
    private int _received;

    public FakeNameserver(bool silent = false)
    {
        _silent = silent;
        // The same port for both transports: the UDP port the kernel picks may be taken for TCP, then pick again.
        while (true)
        {
            _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            try
            {
                _tcp.Bind(_udp.LocalEndPoint!);
                break;
            }
            catch (SocketException)
            {
                _udp.Dispose();
                _tcp.Dispose();
            }
        }

        EndPoint = (IPEndPoint)_udp.LocalEndPoint!;
        _tcp.Listen(16);
        _ = Task.Run(UdpAsync);
        _ = Task.Run(TcpAsync);
    }

    public IPEndPoint EndPoint { get; }

    public int Received => Volatile.Read(ref _received);

    public void Dispose()
    {
        _udp.Dispose();
        _tcp.Dispose();
    }

    private static byte[] AnswerFor(byte[] query)
    {
        DnsWire.TryReadQuery(query, out DnsQuery parsed, out _);
        byte[] answer = DnsWire.Answer(query, parsed, parsed.Type == DnsWire.TypeA ? [IPAddress.Parse("192.0.2.1")] : []);
        answer[2] &= 0xFB; // not authoritative: an upstream's answer for a name outside the mesh
        return answer;
    }

    private async Task UdpAsync()
    {
        byte[] buffer = new byte[65535];
        try
        {
            while (true)
            {
                SocketReceiveFromResult r = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0));
                Interlocked.Increment(ref _received);
                if (!_silent)
                {
                    await _udp.SendToAsync(AnswerFor(buffer[..r.ReceivedBytes]), SocketFlags.None, r.RemoteEndPoint);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // disposed
        }
    }

    private async Task TcpAsync()
    {
        try
        {
            while (true)
            {
                Socket client = await _tcp.AcceptAsync();
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        byte[] prefix = new byte[2];
                        await DnsForwarder.ReceiveExactlyAsync(client, prefix, CancellationToken.None);
                        byte[] query = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                        await DnsForwarder.ReceiveExactlyAsync(client, query, CancellationToken.None);
                        Interlocked.Increment(ref _received);
                        if (_silent)
                        {
                            await Task.Delay(Timeout.Infinite);
                        }

                        byte[] answer = AnswerFor(query);
                        BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)answer.Length);
                        await client.SendAsync(prefix);
                        await client.SendAsync(answer);
                    }
                });
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // disposed
        }
    }
}
