using Capture.NativeShims;
using Capture.Proxy.Reactor;

namespace Capture.Proxy.Relaying;

/// <summary>
/// One direction of a connection (client→upstream or upstream→client): its source and sink, the readiness the loop
/// reported for them, what it holds in flight and how it ends. Bytes held are either in a leased pipe or in a copy
/// backlog, never both, so they leave in the order they came. <see cref="RelayPump"/> and <see cref="CopyPath"/> move
/// the bytes; this type keeps the books and says what happened.
/// </summary>
internal sealed class RelayHalf
{
    /// <summary>
    /// A burst this long is bulk even if no single read filled the pipe: four default pipefuls, which request/response
    /// traffic rarely moves without a pause and a bulk transfer crosses within a millisecond at 10 Gbit/s.
    /// </summary>
    private const int BulkBurstBytes = 4 * Pipes.DefaultCapacity;

    private readonly int _copyThreshold;
    private LoopRegistration _owner = LoopRegistration.None;

    // Leased only while bytes are in flight (or a burst is under way); _inPipe tells "pipe full" from "socket empty" on EAGAIN.
    private SplicePipe _pipe = SplicePipe.None;
    private int _inPipe;
    private CopyBacklog? _backlog;

    // The last burst was large: start the next one with splice rather than a copy probe.
    private bool _preferSplice;

    // This direction moves bulk data: its pipe may grow, and its next burst starts with a grown pipe if one is idle.
    private bool _bulk;

    // Bytes read since the source last ran dry.
    private long _burst;

    // Created when the direction first moves bulk data with batching on.
    private ReadBatch? _batch;

    /// <param name="fromClient">True for client→upstream.</param>
    /// <param name="copyThreshold">--copy-threshold: reads up to this size are copied; 0 splices from the first byte.</param>
    public RelayHalf(bool fromClient, int copyThreshold)
    {
        FromClient = fromClient;
        _copyThreshold = copyThreshold;
        _preferSplice = copyThreshold == 0;
    }

    public bool FromClient { get; }

    public int SourceFd { get; private set; } = -1;

    public int SinkFd { get; private set; } = -1;

    /// <summary>The loop said the source is readable, and no read has said EAGAIN since.</summary>
    public bool SourceReadable { get; private set; }

    /// <summary>The loop said the sink is writable, and no write has said EAGAIN since.</summary>
    public bool SinkWritable { get; private set; }

    /// <summary>The source's FIN (or reset) has been reported: it raises no new edge, so it must be read down to 0.</summary>
    public bool SourcePeerShut { get; private set; }

    /// <summary>The source sent FIN (read returned 0).</summary>
    public bool SourceEof { get; private set; }

    /// <summary>Everything delivered and the sink shut down for writing: this direction is over.</summary>
    public bool IsFinished { get; private set; }

    /// <summary>Bytes delivered to the sink, and of those spliced or copied.</summary>
    public long Bytes { get; private set; }

    public long Spliced { get; private set; }

    public long Copied { get; private set; }

    /// <summary><see cref="EventLoop.NowMs"/> of the last byte read or delivered.</summary>
    public long LastActivityMs { get; private set; }

    public SplicePipe Pipe => _pipe;

    /// <summary>Bytes spliced into <see cref="Pipe"/> and not yet out.</summary>
    public int InPipe => _inPipe;

    /// <summary>Copied bytes the sink has not taken yet.</summary>
    public int HeldBytes => _backlog?.Count ?? 0;

    public ReadOnlySpan<byte> Held => _backlog is null ? default : _backlog.Pending;

    /// <summary>The next read should splice (the last burst was large, or copying is off).</summary>
    public bool PrefersSplice => _preferSplice;

    /// <summary>Whether this direction may skip the read that would only say EAGAIN: its source waits for the next batch.</summary>
    public bool WaitsForBatch => _batch is { IsBatching: true, IsProbing: false };

    public bool IsBatching => _batch is { IsBatching: true };

    /// <summary>Stopwatch timestamp by which the current batch must be complete, or <see cref="long.MaxValue"/>.</summary>
    public long BatchDeadline => _batch?.Deadline ?? long.MaxValue;

    /// <summary>The upstream is connected: the sockets this direction reads and writes, and the connection's place on its loop.</summary>
    public void Attach(int sourceFd, int sinkFd, LoopRegistration owner)
    {
        SourceFd = sourceFd;
        SinkFd = sinkFd;
        _owner = owner;
    }

    public void OnSourceReadable() => SourceReadable = true;

    public void OnSinkWritable() => SinkWritable = true;

    public void OnSourcePeerShut() => SourcePeerShut = true;

    /// <summary>A new upstream socket replaces a failed one: what the loop said about the old one no longer holds.</summary>
    public void ForgetSourceReadiness() => SourceReadable = false;

    public void ForgetSinkReadiness() => SinkWritable = false;

    /// <summary>A read said EAGAIN (or stopped short, which means the same for TCP): wait for the next edge.</summary>
    public void SourceDrained() => SourceReadable = false;

    /// <summary>A write said EAGAIN: wait for EPOLLOUT.</summary>
    public void SinkFull() => SinkWritable = false;

    /// <summary>Has a pipe, or leases one if this burst should splice; false sends the read down the copy path.</summary>
    public bool HasOrLeasesPipe(PipePool pipes, long nowMs) =>
        _pipe.IsValid || (_preferSplice && pipes.TryLease(nowMs, _bulk, out _pipe));

    /// <summary>
    /// <paramref name="bytes"/> were spliced from the source into the pipe. A pipeful at once, or a burst that goes on,
    /// is bulk: a bigger pipe moves more per splice pair (see <see cref="PipePool"/>); the pool says no, without a
    /// system call, once at its limit. Returns whether the direction now moves bulk data.
    /// </summary>
    public bool SplicedIn(int bytes, PipePool pipes, long nowMs)
    {
        _inPipe += bytes;
        _burst += bytes;
        LastActivityMs = nowMs;
        if (_inPipe == _pipe.Capacity || _burst >= BulkBurstBytes)
        {
            _bulk = true;
            pipes.TryGrow(nowMs, ref _pipe);
        }

        return _bulk;
    }

    /// <summary><paramref name="bytes"/> left the pipe for the sink.</summary>
    public void SplicedOut(int bytes, long nowMs)
    {
        _inPipe -= bytes;
        Delivered(bytes, spliced: true, nowMs);
    }

    /// <summary>
    /// <paramref name="count"/> bytes were copied from the source by a read of <paramref name="size"/>. A full probe
    /// read is bulk: the rest of the burst is spliced. A short one means the receive queue ran dry (TCP's recv(2)
    /// stops short only then) and whatever arrives later raises a new edge, so the read that would only say EAGAIN is
    /// skipped; once FIN is reported no edge comes, so then the socket is read down to 0.
    /// </summary>
    public void CopiedIn(int count, int size, long nowMs)
    {
        _burst += count;
        LastActivityMs = nowMs;
        if (count == size && _copyThreshold > 0)
        {
            _preferSplice = true;
        }
        else if (count < size && !SourcePeerShut)
        {
            SourceDrained();
            EndBurst();
        }
    }

    /// <summary><paramref name="bytes"/> copied bytes went straight out to the sink.</summary>
    public void CopiedOut(int bytes, long nowMs) => Delivered(bytes, spliced: false, nowMs);

    /// <summary>The sink would not take <paramref name="bytes"/> yet: they are held and go out before anything read later.</summary>
    public void HoldBack(ReadOnlySpan<byte> bytes) => (_backlog ??= new CopyBacklog()).Hold(bytes);

    /// <summary><paramref name="bytes"/> of <see cref="Held"/> went out to the sink.</summary>
    public void HeldSent(int bytes, long nowMs)
    {
        _backlog!.Sent(bytes);
        Delivered(bytes, spliced: false, nowMs);
    }

    /// <summary>The source sent FIN (a read returned 0): nothing more to read, so no batch deadline to keep.</summary>
    public void ReachedEof()
    {
        SourceEof = true;
        _batch?.Stop();
    }

    /// <summary>
    /// The source ran dry. A burst shorter than the copy threshold sends the next one down the copy path; one of a
    /// pipeful or more asks for an idle grown pipe at the start of the next one; a burst short of that ends the bulk
    /// run, and batching must be earned again.
    /// </summary>
    public void EndBurst()
    {
        if (_copyThreshold > 0 && _burst < _copyThreshold)
        {
            _preferSplice = false;
        }

        _bulk = _burst >= Pipes.DefaultCapacity;
        _burst = 0;
        if (!_bulk)
        {
            _batch?.EndRun();
        }
    }

    /// <summary>A bulk read of <paramref name="bytes"/> at <paramref name="nowTicks"/>: read batching measures it (see <see cref="ReadBatch"/>).</summary>
    public void OnBulkRead(ReadBatchingPolicy policy, int bytes, long nowTicks) =>
        (_batch ??= new ReadBatch(policy)).OnBulkRead(SourceFd, bytes, nowTicks, _owner);

    /// <summary>An overdue batch was read down to EAGAIN: decide whether the stream still batches.</summary>
    public void EndProbeIfProbing()
    {
        if (_batch is { IsProbing: true })
        {
            _batch.EndProbe(SourceFd);
        }
    }

    /// <summary>The loop's turn: if this direction's batch is overdue, mark the source readable so the pump reads what is queued.</summary>
    public bool ReadIfBatchOverdue(long nowTicks)
    {
        if (_batch is null || !_batch.StartProbeIfDue(nowTicks, SourceEof, sinkBehind: _inPipe > 0 || HeldBytes > 0))
        {
            return false;
        }

        SourceReadable = true;
        return true;
    }

    /// <summary>Pipes are leased only while bytes are in flight: an empty pipe goes back as soon as the burst ends.</summary>
    public void ReleaseEmptyPipe(PipePool pipes)
    {
        if (_pipe.IsValid && _inPipe == 0)
        {
            pipes.Return(_pipe, empty: true);
            _pipe = SplicePipe.None;
        }
    }

    /// <summary>Every byte before the source's FIN is delivered: this direction is over (the caller forwards the FIN).</summary>
    public void Finish(PipePool pipes)
    {
        IsFinished = true;
        ReleaseEmptyPipe(pipes);
    }

    /// <summary>The connection closes: the pipe (a non-empty one is closed, not pooled) and any held bytes go back.</summary>
    public void Release(PipePool pipes)
    {
        if (_pipe.IsValid)
        {
            pipes.Return(_pipe, empty: _inPipe == 0);
            _pipe = SplicePipe.None;
            _inPipe = 0;
        }

        _backlog?.Release();
    }

    public override string ToString() =>
        $"pipe={_inPipe},held={HeldBytes},eof={SourceEof},fin={IsFinished},bytes={Bytes},r={SourceReadable},w={SinkWritable}";

    private void Delivered(int bytes, bool spliced, long nowMs)
    {
        Bytes += bytes;
        if (spliced)
        {
            Spliced += bytes;
        }
        else
        {
            Copied += bytes;
        }

        LastActivityMs = nowMs;
    }
}
