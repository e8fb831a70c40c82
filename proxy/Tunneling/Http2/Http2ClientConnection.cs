using System.Buffers;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tunneling.Http2;

/// <summary>
/// The client side of one HTTP/2 connection carrying HBONE CONNECT streams (RFC 9113 §8.5). One read loop parses
/// frames in large reads; one writer task writes whatever frames all streams have queued in one transport write.
/// All state is guarded by one lock, held only for bookkeeping and copies, never across I/O.
/// </summary>
internal sealed partial class Http2ClientConnection : IAsyncDisposable
{
    // RFC 9113 §6.9.2: the initial flow-control window of a connection and (until SETTINGS say otherwise) of a stream.
    private const int DefaultWindowSize = 65_535;

    private readonly Stream _transport;
    private readonly Http2ClientSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _sync = new();
    private readonly Dictionary<int, Http2Stream> _streams = [];
    private readonly List<Http2Stream> _blockedWriters = [];
    private readonly List<TaskCompletionSource> _slotWaiters = [];
    private readonly HpackEncoder _encoder = new();
    private readonly HpackDecoder _decoder;
    private readonly ArrayBufferWriter<byte> _headerBlock = new(256);
    private readonly Http2WriteBuffer _output;
    private readonly Http2Signal _writerSignal = new();
    private readonly TaskCompletionSource<Http2CloseReason> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _peerSettingsReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _readAbort = new();
    private readonly CancellationTokenSource _writeAbort;
    private ITimer? _pingTimer;
    private int _runningLoops = 2;

    // The abort sources have two users that may finish in either order: Close (which cancels them outside the lock) and
    // the last loop to exit. Whichever is second disposes them; disposing them first made Close's Cancel throw.
    private int _abortUsers = 2;

    // Under _sync.
    private int _nextStreamId = 1;
    private int _lastOpenedStreamId;
    private int _peerMaxConcurrentStreams = int.MaxValue;
    private int _peerInitialWindowSize = DefaultWindowSize;
    private int _peerMaxFrameSize = Http2FrameHeader.MinMaxFrameSize;
    private long _connectionSendWindow = DefaultWindowSize;
    private long _connectionReceiveWindow;
    private int _connectionUnacknowledged;
    private bool _goAwayReceived;
    private Http2CloseReason? _closeReason;
    private bool _writerStopping;
    private long _idleSinceTimestamp;
    private bool _pingOutstanding;
    private ulong _pingPayload;
    private long _pingSentTimestamp;

    private Http2ClientConnection(Stream transport, Http2ClientSettings settings, TimeProvider time, ILogger logger)
    {
        _transport = transport;
        _settings = settings;
        _time = time;
        _logger = logger;
        _decoder = new HpackDecoder(4096, settings.MaxHeaderListSize);
        _output = new Http2WriteBuffer(settings.WriteBufferSize + (64 * 1024));
        _writeAbort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _connectionReceiveWindow = settings.ConnectionWindowSize;
        _idleSinceTimestamp = time.GetTimestamp();
    }

    /// <summary>Streams open or half-closed on this connection.</summary>
    /// <summary>A PING of ours is waiting for its ACK (for tests and diagnostics).</summary>
    internal bool PingOutstanding
    {
        get
        {
            lock (_sync)
            {
                return _pingOutstanding;
            }
        }
    }

    public int ActiveStreams
    {
        get
        {
            lock (_sync)
            {
                return _streams.Count;
            }
        }
    }

    /// <summary>True while the connection is open, no GOAWAY was received and a stream slot is free.</summary>
    public bool CanOpenStream
    {
        get
        {
            lock (_sync)
            {
                return CanOpenStreamLocked && _streams.Count < StreamLimit;
            }
        }
    }

    /// <summary>Completes (never faults) when the connection has ended: transport closed, buffers returned; the result says why.</summary>
    public Task<Http2CloseReason> Completion => _completion.Task;

    /// <summary>
    /// <see cref="TimeProvider.GetTimestamp"/> when the last stream closed (or the connection started); meaningful
    /// while <see cref="ActiveStreams"/> is 0, for the pool's idle expiry.
    /// </summary>
    public long IdleSinceTimestamp
    {
        get
        {
            lock (_sync)
            {
                return _idleSinceTimestamp;
            }
        }
    }

    /// <summary>min(peer's SETTINGS_MAX_CONCURRENT_STREAMS, ours).</summary>
    public int StreamLimit => Math.Min(_peerMaxConcurrentStreams, _settings.MaxConcurrentStreams);

    private bool CanOpenStreamLocked => _closeReason is null && !_goAwayReceived && _nextStreamId > 0;

    /// <summary>
    /// Writes the preface, our SETTINGS and the connection window update over an established transport (an
    /// <see cref="System.Net.Security.SslStream"/> with ALPN h2 in production), then starts the read and write loops
    /// and the PING timer. The connection owns the transport from here on.
    /// </summary>
    public static async Task<Http2ClientConnection> StartAsync(Stream transport, Http2ClientSettings settings, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(settings);
        var connection = new Http2ClientConnection(transport, settings, time, logger);
        byte[] preface = new byte[128];
        int length = connection.WritePreface(preface);
        await transport.WriteAsync(preface.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        await transport.FlushAsync(cancellationToken).ConfigureAwait(false);
        connection.Start();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        Close(new Http2CloseReason(Http2CloseKind.Local, Http2ErrorCode.NoError, "closed by us"), Http2ErrorCode.NoError);
        await _completion.Task.ConfigureAwait(false);
    }

    private int WritePreface(Span<byte> destination)
    {
        Http2FrameWriter.ClientPreface.CopyTo(destination);
        int length = Http2FrameWriter.ClientPreface.Length;
        length += Http2FrameWriter.WriteSettings(destination[length..],
        [
            (Http2SettingId.EnablePush, 0),
            (Http2SettingId.InitialWindowSize, (uint)_settings.InitialStreamWindowSize),
            (Http2SettingId.MaxFrameSize, (uint)_settings.MaxFrameSize),
            (Http2SettingId.MaxHeaderListSize, (uint)_settings.MaxHeaderListSize),
        ]);
        if (_settings.ConnectionWindowSize > DefaultWindowSize)
        {
            length += Http2FrameWriter.WriteWindowUpdate(destination[length..], 0, _settings.ConnectionWindowSize - DefaultWindowSize);
        }
        else
        {
            _connectionReceiveWindow = DefaultWindowSize;
        }

        return length;
    }

    private void Start()
    {
        _ = Task.Run(ReadLoopAsync);
        _ = Task.Run(WriteLoopAsync);
        _pingTimer = _time.CreateTimer(static state => ((Http2ClientConnection)state!).OnPingTimer(), this, _settings.PingInterval, _settings.PingInterval);
        Log.Started(_logger, _settings.InitialStreamWindowSize, _settings.ConnectionWindowSize, _settings.MaxFrameSize);
    }

    private void OnPingTimer()
    {
        bool timedOut = false;
        lock (_sync)
        {
            if (_closeReason is not null)
            {
                return;
            }

            if (_pingOutstanding)
            {
                timedOut = _time.GetElapsedTime(_pingSentTimestamp) >= _settings.PingTimeout;
            }
            else
            {
                _pingOutstanding = true;
                _pingPayload++;
                _pingSentTimestamp = _time.GetTimestamp();
                _output.Advance(Http2FrameWriter.WritePing(_output.GetSpan(Http2FrameWriter.PingSize), _pingPayload, ack: false));
                _writerSignal.Set();
            }
        }

        if (timedOut)
        {
            Log.PingTimedOut(_logger, _settings.PingTimeout.TotalSeconds);
            Close(new Http2CloseReason(Http2CloseKind.PingTimeout, Http2ErrorCode.NoError, $"no PING answer for {_settings.PingTimeout.TotalSeconds:0.#} s"), Http2ErrorCode.NoError);
        }
    }

    /// <summary>
    /// Ends the connection once: fails open streams and waiting callers, queues GOAWAY (when <paramref name="goAwayCode"/>
    /// is set) and lets the writer drain before the transport is closed.
    /// </summary>
    private void Close(Http2CloseReason reason, Http2ErrorCode? goAwayCode)
    {
        lock (_sync)
        {
            if (_closeReason is not null)
            {
                return;
            }

            _closeReason = reason;
            if (goAwayCode is { } code)
            {
                _output.Advance(Http2FrameWriter.WriteGoAway(_output.GetSpan(Http2FrameWriter.GoAwaySize), 0, code));
            }

            var failure = new IOException($"HTTP/2 connection closed: {reason.Message}");
            foreach (Http2Stream stream in _streams.Values)
            {
                stream.FailLocked(failure);
            }

            _streams.Clear();
            WakeBlockedWritersLocked();
            WakeSlotWaitersLocked();
            _writerStopping = true;
            _writerSignal.Set();
        }

        _peerSettingsReceived.TrySetResult();

        _pingTimer?.Dispose();
        Log.Closed(_logger, reason.Kind, reason.Message);

        // Reads are of no use any more; a write stuck on a peer that stopped reading gets a short grace period.
        _readAbort.Cancel();
        _writeAbort.CancelAfter(TimeSpan.FromSeconds(2));
        ReleaseAborts();
    }

    private void OnLoopExited()
    {
        if (Interlocked.Decrement(ref _runningLoops) != 0)
        {
            return;
        }

        // Both loops are done: nothing uses the transport or the buffers any more.
        _transport.Dispose();
        Http2CloseReason reason;
        lock (_sync)
        {
            _output.Dispose();
            reason = _closeReason!.Value;
        }

        ReleaseAborts();
        _completion.TrySetResult(reason);
    }

    private void ReleaseAborts()
    {
        if (Interlocked.Decrement(ref _abortUsers) == 0)
        {
            _readAbort.Dispose();
            _writeAbort.Dispose();
        }
    }

    private void WakeBlockedWritersLocked()
    {
        foreach (Http2Stream stream in _blockedWriters)
        {
            stream.BlockedOnConnection = false;
            stream.WriteSignal.Set();
        }

        _blockedWriters.Clear();
    }

    private void WakeSlotWaitersLocked()
    {
        foreach (TaskCompletionSource waiter in _slotWaiters)
        {
            waiter.TrySetResult();
        }

        _slotWaiters.Clear();
    }
}
