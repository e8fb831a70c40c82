using System.Buffers;
using System.Net.Sockets;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Tunneling;

/// <summary>
/// Moves bytes between an app's TCP socket and an HTTP/2 CONNECT stream, both ways at once: FIN ↔ END_STREAM each
/// way on its own (half-close works in both orders), a reset on either side resets the other (RST ↔ RST_STREAM).
/// </summary>
/// <remarks>
/// The socket side waits for data with a zero-byte receive and rents its buffer only while bytes are in hand, so an
/// idle tunnelled connection holds no socket-side buffer; the stream side holds one while its read is pending.
/// </remarks>
internal sealed class TunnelRelay
{
    // Up to 64 KiB per read: larger than a DATA frame is useful (the HTTP/2 layer splits), small enough for thousands
    // of connections; ArrayPool keeps them around for reuse.
    private const int BufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly Stream _tunnelRead;
    private readonly Stream _tunnelWrite;
    private readonly ITunnelStreamEnd _tunnelEnd;
    private readonly IHboneEvents _events;
    private readonly TrafficDirection _direction;
    private readonly bool _socketIsClient;
    private readonly CancellationTokenSource _stop;
    private readonly HandedOffConnection? _handedOff;
    private readonly Lock _endLock = new();
    private long _socketToTunnel;
    private long _tunnelToSocket;
    private TunnelRelayEnd? _end;
    private string _detail = "";

    /// <summary><paramref name="socketIsClient"/> is true outbound: the app's socket is the client, its bytes count as upstream;
    /// <paramref name="handedOff"/> (outbound) also hears of every byte, for the engine's metrics and access log.</summary>
    public TunnelRelay(Socket socket, Stream tunnelRead, Stream tunnelWrite, ITunnelStreamEnd tunnelEnd, IHboneEvents events,
        TrafficDirection direction, bool socketIsClient, CancellationToken stop, HandedOffConnection? handedOff = null)
    {
        _handedOff = handedOff;
        _socket = socket;
        _tunnelRead = tunnelRead;
        _tunnelWrite = tunnelWrite;
        _tunnelEnd = tunnelEnd;
        _events = events;
        _direction = direction;
        _socketIsClient = socketIsClient;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stop);
    }

    /// <summary>Relays until both directions finished or one side reset; the socket is closed on return.</summary>
    public async Task<TunnelRelayResult> RunAsync()
    {
        try
        {
            await Task.WhenAll(SocketToTunnelAsync(), TunnelToSocketAsync()).ConfigureAwait(false);
        }
        finally
        {
            _stop.Dispose();
        }

        TunnelRelayEnd end;
        lock (_endLock)
        {
            end = _end ?? TunnelRelayEnd.Completed;
        }

        if (end == TunnelRelayEnd.Completed)
        {
            _socket.Close(); // both FINs already went out: a plain close
        }

        return new TunnelRelayResult(end, _socketToTunnel, _tunnelToSocket, _detail);
    }

    private async Task SocketToTunnelAsync()
    {
        CancellationToken stop = _stop.Token;
        while (true)
        {
            int read;
            byte[]? buffer = null;
            try
            {
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, stop).ConfigureAwait(false);
                buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                read = await _socket.ReceiveAsync(buffer, SocketFlags.None, stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                Return(buffer);
                Ended(stop.IsCancellationRequested ? null : TunnelRelayEnd.SocketReset, ex.Message);
                return;
            }

            try
            {
                if (read == 0)
                {
                    await _tunnelEnd.CompleteWritesAsync(stop).ConfigureAwait(false); // FIN → END_STREAM
                    return;
                }

                await _tunnelWrite.WriteAsync(buffer.AsMemory(0, read), stop).ConfigureAwait(false);
                _socketToTunnel += read;
                Report(read, fromSocket: true);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The stream refused our bytes: it was reset, or its connection is gone.
                Ended(stop.IsCancellationRequested ? null : TunnelRelayEnd.TunnelReset, ex.Message);
                return;
            }
            finally
            {
                Return(buffer);
            }
        }
    }

    private async Task TunnelToSocketAsync()
    {
        CancellationToken stop = _stop.Token;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await _tunnelRead.ReadAsync(buffer, stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // RST_STREAM (other than NO_ERROR/CANCEL) or the connection failing: reset the app's connection.
                    Ended(stop.IsCancellationRequested ? null : TunnelRelayEnd.TunnelReset, ex.Message);
                    return;
                }

                try
                {
                    if (read == 0)
                    {
                        _socket.Shutdown(SocketShutdown.Send); // END_STREAM → FIN
                        return;
                    }

                    await _socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop).ConfigureAwait(false);
                    _tunnelToSocket += read;
                    Report(read, fromSocket: false);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
                {
                    Ended(stop.IsCancellationRequested ? null : TunnelRelayEnd.SocketReset, ex.Message);
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>First reset wins: it stops the other direction and resets the side that did not fail.</summary>
    private void Ended(TunnelRelayEnd? end, string detail)
    {
        lock (_endLock)
        {
            if (_end is not null)
            {
                return; // the other direction already ended the relay
            }

            _end = end ?? TunnelRelayEnd.Stopped;
            _detail = detail;
        }

        _stop.Cancel();
        if (_end != TunnelRelayEnd.TunnelReset)
        {
            _tunnelEnd.Abort();
        }

        if (_end != TunnelRelayEnd.SocketReset || _socket.Connected)
        {
            ResetSocket();
        }
    }

    private void ResetSocket()
    {
        try
        {
            // SO_LINGER 0: close sends RST rather than FIN, as the app would see from a reset peer.
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed or failed: close below is all that is left to do.
        }

        _socket.Close();
    }

    private void Report(int bytes, bool fromSocket)
    {
        bool upstream = fromSocket == _socketIsClient;
        _events.BytesTunnelled(_direction, upstream ? bytes : 0, upstream ? 0 : bytes);
        _handedOff?.Relayed(upstream ? bytes : 0, upstream ? 0 : bytes);
    }

    private static void Return(byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
