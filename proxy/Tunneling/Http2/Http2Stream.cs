using System.Runtime.CompilerServices;

namespace Capture.Proxy.Tunneling.Http2;

/// <summary>
/// One CONNECT stream as a duplex <see cref="Stream"/>: reads return DATA payloads (0 at END_STREAM, the tunnelled
/// connection's FIN), writes send DATA as the stream and connection windows allow. A peer RST_STREAM reads as end of
/// stream for NO_ERROR/CANCEL and throws <see cref="Http2StreamResetException"/> otherwise. One reader and one writer
/// at a time. Its state fields are guarded by the connection's lock.
/// </summary>
internal sealed class Http2Stream : Stream
{
    private readonly Http2ClientConnection _connection;
    private int _disposed;

    internal Http2Stream(Http2ClientConnection connection, int id, int sendWindow, int receiveWindow)
    {
        _connection = connection;
        Id = id;
        SendWindow = sendWindow;
        ReceiveWindow = receiveWindow;
    }

    /// <summary>The HTTP/2 stream id.</summary>
    public int Id { get; }

    /// <summary>Bytes received and not yet read; bounded by the receive window we announced.</summary>
    public int BufferedBytes => _connection.BufferedBytes(this);

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    // Connection-side state, read and written under the connection's lock.
    internal TaskCompletionSource<int> Response { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Http2ReceiveBuffer Received { get; } = new();

    internal Http2Signal ReadSignal { get; } = new();

    internal Http2Signal WriteSignal { get; } = new();

    internal long SendWindow { get; set; }

    internal long ReceiveWindow { get; set; }

    internal int Unacknowledged { get; set; }

    internal bool InTable { get; set; }

    internal bool ResponseReceived { get; set; }

    internal bool LocalEnded { get; set; }

    internal bool RemoteEnded { get; set; }

    internal bool BlockedOnConnection { get; set; }

    internal Http2ErrorCode? ResetCode { get; set; }

    internal bool ResetByPeer { get; set; }

    internal Exception? Failure { get; private set; }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            int read = _connection.TryRead(this, buffer.Span);
            if (read >= 0)
            {
                return read;
            }

            await ReadSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            int written = _connection.TryWriteData(this, buffer.Span);
            if (written == 0)
            {
                await WriteSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            buffer = buffer[written..];
        }
    }

    /// <summary>Sends an empty DATA frame with END_STREAM: the tunnelled connection's half-close (FIN).</summary>
    public ValueTask CompleteWritesAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _connection.CompleteWrites(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Resets the stream with RST_STREAM(<paramref name="code"/>): the tunnelled connection's reset.</summary>
    public void Abort(Http2ErrorCode code) => _connection.Abort(this, code);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous calls block on the asynchronous path; the relay uses the asynchronous one.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Nothing to do: the connection's writer sends queued frames as soon as it can.</summary>
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Marks the stream failed because the connection ended (under the connection's lock).</summary>
    internal void FailLocked(Exception failure)
    {
        Failure = failure;
        InTable = false;
        Response.TrySetException(failure);
        ReadSignal.Set();
        WriteSignal.Set();
    }

    /// <summary>Disposing an open stream resets it with CANCEL; unread bytes are dropped.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _connection.Release(this);
        }

        base.Dispose(disposing);
    }
}
