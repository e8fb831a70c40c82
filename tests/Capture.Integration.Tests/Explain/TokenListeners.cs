using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Explain;

/// <summary>
/// Listeners (tcp and udp, IPv4 and IPv6, wildcard address) in test namespaces that record, per token, where a
/// connection carrying that token arrived. Capture listeners are IP_TRANSPARENT, as TPROXY requires of the socket it
/// assigns a packet to (xt_TPROXY drops the packet otherwise).
/// </summary>
public sealed class TokenListeners : IDisposable
{
    // <linux/in.h> IP_TRANSPARENT, <linux/in6.h> IPV6_TRANSPARENT, <linux/netfilter_ipv4.h> SO_ORIGINAL_DST
    // (IP6T_SO_ORIGINAL_DST in <linux/netfilter_ipv6/ip6_tables.h> has the same value).
    private const int SOL_IP = 0;
    private const int SOL_IPV6 = 41;
    private const int IP_TRANSPARENT = 19;
    private const int IPV6_TRANSPARENT = 75;
    private const int SO_ORIGINAL_DST = 80;

    private readonly ConcurrentDictionary<string, ConcurrentQueue<Observation>> _seen = new(StringComparer.Ordinal);
    private readonly List<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();

    public IReadOnlyCollection<Observation> Seen(string token) =>
        _seen.TryGetValue(token, out ConcurrentQueue<Observation>? queue) ? queue.ToArray() : [];

    public bool HasSeen(string token) => _seen.ContainsKey(token);

    /// <summary>Listens on tcp <paramref name="port"/> (IPv4 and IPv6) in <paramref name="ns"/>.</summary>
    public void ListenTcp(TestNamespace ns, string label, int port, bool transparent)
    {
        foreach (AddressFamily family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            Socket listener = ns.Run(() =>
            {
                Socket socket = NewSocket(family, SocketType.Stream, ProtocolType.Tcp, transparent);
                socket.Bind(new IPEndPoint(Any(family), port));
                socket.Listen(64);
                return socket;
            });
            Track(listener);
            _ = AcceptLoopAsync(listener, label, port);
        }
    }

    /// <summary>Listens on udp <paramref name="port"/> (IPv4 and IPv6) in <paramref name="ns"/>.</summary>
    public void ListenUdp(TestNamespace ns, string label, int port, bool transparent)
    {
        foreach (AddressFamily family in new[] { AddressFamily.InterNetwork, AddressFamily.InterNetworkV6 })
        {
            Socket socket = ns.Run(() =>
            {
                Socket created = NewSocket(family, SocketType.Dgram, ProtocolType.Udp, transparent);
                created.Bind(new IPEndPoint(Any(family), port));
                return created;
            });
            Track(socket);
            _ = ReceiveLoopAsync(socket, label, port);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        lock (_sockets)
        {
            foreach (Socket socket in _sockets)
            {
                socket.Dispose();
            }
        }

        _stop.Dispose();
    }

    private void Track(Socket socket)
    {
        lock (_sockets)
        {
            _sockets.Add(socket);
        }
    }

    private static IPAddress Any(AddressFamily family) => family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any;

    private static Socket NewSocket(AddressFamily family, SocketType type, ProtocolType protocol, bool transparent)
    {
        Socket socket = new(family, type, protocol);
        if (family == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = false;
        }

        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        if (transparent)
        {
            bool v6 = family == AddressFamily.InterNetworkV6;
            socket.SetRawSocketOption(v6 ? SOL_IPV6 : SOL_IP, v6 ? IPV6_TRANSPARENT : IP_TRANSPARENT, BitConverter.GetBytes(1));
        }

        return socket;
    }

    private async Task AcceptLoopAsync(Socket listener, string label, int port)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return; // disposed: the test is over
            }

            _ = ReadTokenAsync(accepted, label, port);
        }
    }

    private async Task ReadTokenAsync(Socket accepted, string label, int port)
    {
        using (accepted)
        {
            IPEndPoint? original = OriginalDestination(accepted);
            byte[] buffer = new byte[128];
            int total = 0;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            try
            {
                int read;
                while (total < buffer.Length && (read = await accepted.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, timeout.Token)) > 0)
                {
                    total += read;
                }
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // What arrived before the peer reset or the deadline is all there is to record.
            }

            Record(Encoding.ASCII.GetString(buffer, 0, total), new Observation(label, port, false, (IPEndPoint?)accepted.LocalEndPoint, original));
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, string label, int port)
    {
        byte[] buffer = new byte[128];
        EndPoint any = new IPEndPoint(Any(socket.AddressFamily), 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return; // disposed: the test is over
            }

            Record(Encoding.ASCII.GetString(buffer, 0, result.ReceivedBytes), new Observation(label, port, true, null, null));
        }
    }

    private void Record(string token, Observation observation)
    {
        token = token.Trim();
        if (token.Length > 0)
        {
            _seen.GetOrAdd(token, _ => new ConcurrentQueue<Observation>()).Enqueue(observation);
        }
    }

    // getsockopt(SOL_IP, SO_ORIGINAL_DST) → struct sockaddr_in; (SOL_IPV6, IP6T_SO_ORIGINAL_DST) → struct sockaddr_in6.
    private static IPEndPoint? OriginalDestination(Socket socket)
    {
        bool v6 = socket.AddressFamily == AddressFamily.InterNetworkV6;
        Span<byte> address = stackalloc byte[28];
        try
        {
            int length = socket.GetRawSocketOption(v6 ? SOL_IPV6 : SOL_IP, SO_ORIGINAL_DST, address);
            int port = BinaryPrimitives.ReadUInt16BigEndian(address[2..4]);
            return v6
                ? length >= 24 ? new IPEndPoint(new IPAddress(address.Slice(8, 16)), port) : null
                : length >= 8 ? new IPEndPoint(new IPAddress(address.Slice(4, 4)), port) : null;
        }
        catch (SocketException)
        {
            return null; // no conntrack entry (not tracked): nothing was translated
        }
    }
}
