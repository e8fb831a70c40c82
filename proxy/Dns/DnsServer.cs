using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Contracts;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Dns;

/// <summary>
/// The sidecar DNS proxy (pilot-agent's): UDP and TCP on 127.0.0.1:<c>--dns-port</c>, and on [::1] when resolv.conf
/// names an IPv6 nameserver; capture-init <c>--redirect-dns</c> sends the app's port-53 traffic here. Each UDP socket
/// has one receive loop that answers local names at once and starts a bounded number of forwards; each TCP
/// connection is served one query at a time, with at most <see cref="MaxTcpConnections"/> open and an idle limit.
/// </summary>
internal sealed partial class DnsServer : IAsyncDisposable
{
    /// <summary>Forwards in flight at once, over both transports: beyond it, SERVFAIL at once (bounded memory).</summary>
    public const int MaxOutstanding = 128;

    public const int MaxTcpConnections = 64;

    private static readonly TimeSpan s_tcpIdle = TimeSpan.FromSeconds(10);

    private readonly int _port;
    private readonly bool _ipv6;
    private readonly DnsResponder _responder;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];
    private int _tcpConnections;

    public DnsServer(int port, bool ipv6, DnsResponder responder, ILogger logger)
    {
        _port = port;
        _ipv6 = ipv6;
        _responder = responder;
        _logger = logger;
    }

    /// <summary>Bound endpoints (UDP and TCP share them), after <see cref="Start"/>.</summary>
    public IReadOnlyList<IPEndPoint> EndPoints { get; private set; } = [];

    /// <summary>Binds every socket, then starts the loops; a port in use is a <see cref="ProxyStartException"/>.</summary>
    public void Start()
    {
        List<IPEndPoint> endPoints = [];
        try
        {
            List<IPAddress> addresses = [IPAddress.Loopback];
            if (_ipv6)
            {
                addresses.Add(IPAddress.IPv6Loopback);
            }

            foreach (IPAddress address in addresses)
            {
                (Socket udp, Socket tcp) = Bind(address);
                IPEndPoint bound = (IPEndPoint)udp.LocalEndPoint!;
                endPoints.Add(bound);
                _loops.Add(Task.Run(() => UdpLoopAsync(udp)));
                _loops.Add(Task.Run(() => TcpAcceptLoopAsync(tcp)));
            }
        }
        catch (SocketException ex)
        {
            _stop.Cancel();
            foreach (Socket socket in _sockets)
            {
                socket.Dispose();
            }

            throw new ProxyStartException($"cannot serve DNS on port {_port}: {ex.Message}", ex);
        }

        EndPoints = endPoints;
        string listening = string.Join(", ", endPoints);
        int names = _responder.Names.Count;
        Log.Listening(_logger, listening, names);
    }

    // UDP and TCP on one port. With --dns-port 0 (tests) the kernel picks the UDP port, which TCP may hold elsewhere:
    // then another pick.
    private (Socket Udp, Socket Tcp) Bind(IPAddress address)
    {
        for (int attempt = 1; ; attempt++)
        {
            // A larger receive buffer absorbs a burst instead of dropping it (the kernel caps it at net.core.rmem_max).
            Socket udp = new(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 1024 * 1024 };
            Socket tcp = new(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                udp.Bind(new IPEndPoint(address, _port));
                tcp.Bind(udp.LocalEndPoint!);
                tcp.Listen(128);
                _sockets.Add(udp);
                _sockets.Add(tcp);
                return (udp, tcp);
            }
            catch (SocketException ex) when (_port == 0 && attempt < 10 && ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                udp.Dispose();
                tcp.Dispose();
            }
            catch
            {
                udp.Dispose();
                tcp.Dispose();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Socket socket in _sockets)
        {
            socket.Dispose();
        }

        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopping: what a loop was doing no longer matters.
        }

        _stop.Dispose();
    }

    private async Task UdpLoopAsync(Socket socket)
    {
        byte[] buffer = new byte[DnsWire.MaxMessageSize];
        EndPoint any = socket.AddressFamily == AddressFamily.InterNetwork ? new IPEndPoint(IPAddress.Any, 0) : new IPEndPoint(IPAddress.IPv6Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                string error = ex.SocketErrorCode.ToString();
                Log.ReceiveFailed(_logger, error);
                continue;
            }

            ArraySegment<byte> message = new(buffer, 0, received.ReceivedBytes);
            ArraySegment<byte>? now = _responder.TryAnswerNow(message, tcp: false, out bool forward);
            if (now is { } answer)
            {
                SendTo(socket, answer, received.RemoteEndPoint);
            }
            else if (forward)
            {
                // The loop's buffer is reused for the next datagram: the forward gets its own copy.
                _ = ForwardUdpAsync(socket, message.ToArray(), received.RemoteEndPoint);
            }
        }
    }

    private async Task ForwardUdpAsync(Socket socket, byte[] query, EndPoint client)
    {
        try
        {
            ArraySegment<byte> answer = await _responder.ForwardAsync(query, tcp: false, _stop.Token).ConfigureAwait(false);
            SendTo(socket, answer, client);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Stopping.
        }
    }

    private void SendTo(Socket socket, ArraySegment<byte> answer, EndPoint client)
    {
        try
        {
            socket.SendTo(answer, SocketFlags.None, client);
        }
        catch (SocketException ex)
        {
            string to = client.ToString() ?? "";
            string error = ex.SocketErrorCode.ToString();
            Log.SendFailed(_logger, to, error);
        }
        catch (ObjectDisposedException)
        {
            // Stopping.
        }
    }

    private async Task TcpAcceptLoopAsync(Socket listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // EMFILE and friends: the next accept may succeed
            }

            if (Interlocked.Increment(ref _tcpConnections) > MaxTcpConnections)
            {
                Interlocked.Decrement(ref _tcpConnections);
                client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            _ = ServeTcpAsync(client);
        }
    }

    private async Task ServeTcpAsync(Socket client)
    {
        byte[] prefix = new byte[2];
        try
        {
            using (client)
            {
                client.NoDelay = true;
                while (!_stop.IsCancellationRequested)
                {
                    using CancellationTokenSource idle = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    idle.CancelAfter(s_tcpIdle);
                    await DnsForwarder.ReceiveExactlyAsync(client, prefix, idle.Token).ConfigureAwait(false);
                    int length = BinaryPrimitives.ReadUInt16BigEndian(prefix);
                    byte[] message = new byte[length];
                    await DnsForwarder.ReceiveExactlyAsync(client, message, idle.Token).ConfigureAwait(false);

                    ArraySegment<byte>? answer = _responder.TryAnswerNow(message, tcp: true, out bool forward);
                    if (answer is null && forward)
                    {
                        answer = await _responder.ForwardAsync(message, tcp: true, _stop.Token).ConfigureAwait(false);
                    }

                    if (answer is not { } reply)
                    {
                        return; // nothing to say to a message that is not a query: close
                    }

                    BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)reply.Count);
                    await client.SendAsync(prefix, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                    await client.SendAsync(reply, SocketFlags.None, _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client went away, sent half a message, or idled past the limit: the connection ends.
        }
        finally
        {
            Interlocked.Decrement(ref _tcpConnections);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 950, Level = LogLevel.Information, EventName = "DnsListening",
            Message = "DNS proxy on {EndPoints} (UDP and TCP), {Names} local names")]
        public static partial void Listening(ILogger logger, string endPoints, int names);

        [LoggerMessage(EventId = 951, Level = LogLevel.Debug, EventName = "DnsReceiveFailed", Message = "DNS receive failed: {Error}")]
        public static partial void ReceiveFailed(ILogger logger, string error);

        [LoggerMessage(EventId = 952, Level = LogLevel.Debug, EventName = "DnsSendFailed", Message = "DNS answer to {Client} not sent: {Error}")]
        public static partial void SendFailed(ILogger logger, string client, string error);
    }
}
