using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>
/// Kestrel's listener for 15008: plain accepted sockets, handed to Kestrel as <see cref="SocketConnection"/>s whose
/// bytes are read by TLS straight from the socket (see <see cref="TlsHandshakeMiddleware"/>).
/// </summary>
/// <remarks>
/// Kestrel's own socket transport runs a receive loop per connection that fills a pipe, which SslStream then reads
/// through a stream adapter: one more copy of every byte and one more hand-off between threads, on a path where the
/// whole cost is copies and hand-offs. The few long-lived tunnel connections of a pod need none of what that transport
/// adds (its memory pool, its scheduling queues), so the listener here only accepts.
/// </remarks>
internal sealed class SocketListenerFactory(BlockMemoryPool memoryPool) : IConnectionListenerFactory
{
    // Kestrel's default backlog.
    private const int Backlog = 512;

    private static readonly TimeSpan s_acceptRetryDelay = TimeSpan.FromMilliseconds(50);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint ip)
        {
            throw new NotSupportedException($"15008 listens on IP addresses only, not {endpoint}");
        }

        Socket socket = new(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true; // one socket for IPv4 and IPv6 callers, as Kestrel's ListenAnyIP binds
            }

            socket.Bind(ip);
            socket.Listen(Backlog);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(e.Message, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new ValueTask<IConnectionListener>(new SocketListener(socket, memoryPool));
    }

    private sealed class SocketListener(Socket socket, BlockMemoryPool memoryPool) : IConnectionListener
    {
        public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                Socket accepted;
                try
                {
                    accepted = await socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
                {
                    return null; // unbound or stopped: Kestrel stops accepting
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
                {
                    return null;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
                {
                    continue; // the caller reset before we took it: take the next one
                }
                catch (SocketException)
                {
                    // Out of descriptors or buffers (EMFILE, ENFILE, ENOBUFS): the failure repeats at once, so wait a
                    // little for connections to close rather than spinning on accept.
                    try
                    {
                        await Task.Delay(s_acceptRetryDelay, cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return null;
                    }

                    continue;
                }

                accepted.NoDelay = true; // HTTP/2 frames are written whole; Nagle would only hold back the last one
                return new SocketConnection(accepted, memoryPool);
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            socket.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
