using System.Buffers;
using System.IO.Pipelines;
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
/// Given the tunnel as pipes (Kestrel's request body and response body on 15008), it uses the pipes' own buffers:
/// the socket receives straight into the response pipe and sends straight from the request pipe's segments, one
/// copy less each way, and no buffer of its own at all.
/// </remarks>
internal sealed class TunnelRelay
{
    // Up to 64 KiB per read: larger than a DATA frame is useful (the HTTP/2 layer splits), small enough for thousands
    // of connections; ArrayPool keeps them around for reuse. A pipe's block is 64 KiB too (BlockMemoryPool).
    private const int BufferSize = 64 * 1024;

    // What the app sends into a stream tunnel is read up to 256 KiB at a time: the buffer is rented only while bytes
    // are in hand, and a bulk sender's bytes leave in fewer, larger DATA frames (bench-hbone --baseline against 64 KiB
    // reads, same run: 0.92-0.97x the CPU per GB of both proxies).
    private const int SendBufferSize = 256 * 1024;

    private readonly Socket _socket;
    private readonly Stream? _tunnelRead;
    private readonly Stream? _tunnelWrite;
    private readonly PipeReader? _tunnelReader;
    private readonly PipeWriter? _tunnelWriter;
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
        : this(socket, tunnelEnd, events, direction, socketIsClient, handedOff, stop)
    {
        _tunnelRead = tunnelRead;
        _tunnelWrite = tunnelWrite;
    }

    /// <summary>The tunnel as pipes: what arrives through it is read from <paramref name="tunnelReader"/>, what goes into it is written to <paramref name="tunnelWriter"/>.</summary>
    public TunnelRelay(Socket socket, PipeReader tunnelReader, PipeWriter tunnelWriter, ITunnelStreamEnd tunnelEnd, IHboneEvents events,
        TrafficDirection direction, bool socketIsClient, CancellationToken stop)
        : this(socket, tunnelEnd, events, direction, socketIsClient, handedOff: null, stop)
    {
        _tunnelReader = tunnelReader;
        _tunnelWriter = tunnelWriter;
    }

    private TunnelRelay(Socket socket, ITunnelStreamEnd tunnelEnd, IHboneEvents events, TrafficDirection direction, bool socketIsClient,
        HandedOffConnection? handedOff, CancellationToken stop)
    {
        _handedOff = handedOff;
        _socket = socket;
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
            await Task.WhenAll(
                _tunnelWriter is null ? SocketToTunnelAsync(_tunnelWrite!) : SocketToPipeAsync(_tunnelWriter),
                _tunnelReader is null ? TunnelToSocketAsync(_tunnelRead!) : PipeToSocketAsync(_tunnelReader)).ConfigureAwait(false);
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

    private async Task SocketToTunnelAsync(Stream tunnelWrite)
    {
        CancellationToken stop = _stop.Token;
        while (true)
        {
            int read;
            byte[]? buffer = null;
            try
            {
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, stop).ConfigureAwait(false);
                buffer = ArrayPool<byte>.Shared.Rent(SendBufferSize);
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

                await tunnelWrite.WriteAsync(buffer.AsMemory(0, read), stop).ConfigureAwait(false);
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

    private async Task TunnelToSocketAsync(Stream tunnelRead)
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
                    read = await tunnelRead.ReadAsync(buffer, stop).ConfigureAwait(false);
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

    private async Task SocketToPipeAsync(PipeWriter tunnelWriter)
    {
        CancellationToken stop = _stop.Token;
        while (true)
        {
            int read;
            try
            {
                // Wait for data before asking the pipe for memory: an idle connection holds no block.
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, stop).ConfigureAwait(false);
                read = await _socket.ReceiveAsync(tunnelWriter.GetMemory(BufferSize), SocketFlags.None, stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
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

                tunnelWriter.Advance(read);
                FlushResult flushed = await tunnelWriter.FlushAsync(stop).ConfigureAwait(false);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    // The stream's output ended under us: it was reset, or its connection is gone.
                    Ended(stop.IsCancellationRequested ? null : TunnelRelayEnd.TunnelReset, "the tunnel stream stopped taking bytes");
                    return;
                }

                _socketToTunnel += read;
                Report(read, fromSocket: true);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Ended(stop.IsCancellationRequested ? null : TunnelRelayEnd.TunnelReset, ex.Message);
                return;
            }
        }
    }

    private async Task PipeToSocketAsync(PipeReader tunnelReader)
    {
        CancellationToken stop = _stop.Token;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await tunnelReader.ReadAsync(stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // RST_STREAM (other than NO_ERROR/CANCEL) or the connection failing: reset the app's connection.
                Ended(stop.IsCancellationRequested ? null : TunnelRelayEnd.TunnelReset, ex.Message);
                return;
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            try
            {
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    await _socket.SendAsync(segment, SocketFlags.None, stop).ConfigureAwait(false);
                }

                if (!buffer.IsEmpty)
                {
                    _tunnelToSocket += buffer.Length;
                    Report((int)buffer.Length, fromSocket: false);
                }

                tunnelReader.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    _socket.Shutdown(SocketShutdown.Send); // END_STREAM → FIN
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                Ended(stop.IsCancellationRequested ? null : TunnelRelayEnd.SocketReset, ex.Message);
                return;
            }
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
