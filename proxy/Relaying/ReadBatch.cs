using Capture.NativeShims;
using Capture.Proxy.Configuration;
using Capture.Proxy.Reactor;

namespace Capture.Proxy.Relaying;

/// <summary>
/// Read batching of one bulk direction (<see cref="ProxyOptions.ReadBatch"/>). Every wake-up costs a context switch,
/// an epoll_wait and a splice pair whatever it moves, and a fast sender wakes its reader per packet. Once the
/// direction has moved <see cref="BatchesBeforeBatching"/> batches as one bulk run, its source gets SO_RCVLOWAT of one
/// batch (what the run delivers in half the longest wait, at most --read-batch): the kernel then wakes the loop per
/// batch. The loop's deadline (four times the expected fill time, at most the longest wait) catches a stream that
/// slows, pauses or ends without FIN; FIN and errors wake it anyway.
/// </summary>
internal sealed class ReadBatch(ReadBatchingPolicy policy)
{
    /// <summary>A direction batches its reads only after moving this many batches as one bulk run.</summary>
    private const int BatchesBeforeBatching = 4;

    /// <summary>Smallest batch worth a low-water mark: a stream that cannot fill 64 KiB in half the wait is read per packet.</summary>
    private const int MinReadBatch = 64 * 1024;

    private int _batchBytes;
    private long _deadline;
    private long _wait;
    private long _probeBytes;
    private long _runStart;
    private long _runBytes;

    /// <summary>SO_RCVLOWAT is raised on the source: the loop hears from it per batch.</summary>
    public bool IsBatching { get; private set; }

    /// <summary>A batch was overdue and the loop is reading what is queued (see <see cref="EndProbe"/>).</summary>
    public bool IsProbing { get; private set; }

    /// <summary>Stopwatch timestamp by which the current batch must be complete, or <see cref="long.MaxValue"/> when not batching.</summary>
    public long Deadline => IsBatching ? _deadline : long.MaxValue;

    /// <summary>
    /// <paramref name="bytes"/> were read from <paramref name="source"/> of a bulk direction at <paramref name="now"/>
    /// (Stopwatch ticks): push the deadline while batching, else measure the run and start batching once it earned it.
    /// </summary>
    public void OnBulkRead(int source, int bytes, long now, LoopRegistration owner)
    {
        if (IsBatching)
        {
            _deadline = now + _wait;
            _probeBytes += bytes;
            return;
        }

        if (_runStart == 0)
        {
            _runStart = now; // the clock starts here: bytes of this first read arrived before it
            _runBytes = 0;
            return;
        }

        _runBytes += bytes;
        // The batch is what this run delivers in half the longest wait, at most --read-batch: a slower stream gets a
        // smaller batch rather than a late one, and one too slow for even the smallest batch does not batch at all.
        long elapsed = Math.Max(now - _runStart, 1);
        long fillable = (long)((double)_runBytes * (policy.MaxWaitTicks / 2) / elapsed);
        int batch = (int)Math.Min(policy.MaxBatchBytes, fillable);
        if (batch < Math.Min(MinReadBatch, policy.MaxBatchBytes) || !policy.CanStart(owner))
        {
            _runStart = now; // too slow for batching, or enough streams batch on this loop: measure afresh
            _runBytes = 0;
            return;
        }

        if (_runBytes < (long)BatchesBeforeBatching * batch)
        {
            return;
        }

        long fill = (long)((double)elapsed * batch / _runBytes); // time one batch takes to arrive at this rate
        long wait = Math.Clamp(4 * fill, policy.MinWaitTicks, policy.MaxWaitTicks);
        if (Sockets.SetReceiveLowWater(source, batch) != Errno.None)
        {
            return; // the socket is failing; the next read says how
        }

        IsBatching = true;
        IsProbing = false;
        _batchBytes = batch;
        _wait = wait;
        _deadline = now + wait;
        policy.Started(owner);
    }

    /// <summary>The bulk run is over (a burst ended short of a pipeful): batching must be earned again.</summary>
    public void EndRun()
    {
        _runStart = 0;
        _runBytes = 0;
    }

    /// <summary>The source sent FIN: no batch will come, so no deadline is kept.</summary>
    public void Stop() => IsBatching = false;

    /// <summary>
    /// The loop's turn at <paramref name="now"/>: whether the batch is overdue and what is queued must be read now,
    /// below the mark. Not after the source's FIN (<paramref name="sourceEof"/>: read on the copy path, when no pipe
    /// could be had), and not while the sink holds bytes back (<paramref name="sinkBehind"/>): its EPOLLOUT brings the
    /// pump back, and there is nothing to read early.
    /// </summary>
    public bool StartProbeIfDue(long now, bool sourceEof, bool sinkBehind)
    {
        if (!IsBatching || now < _deadline)
        {
            return false;
        }

        if (sourceEof)
        {
            IsBatching = false; // no batch will come
            return false;
        }

        _deadline = now + _wait;
        if (sinkBehind)
        {
            return false;
        }

        IsProbing = true;
        _probeBytes = 0;
        return true;
    }

    /// <summary>
    /// An overdue batch has been read down to EAGAIN. A stream that still delivered a quarter of a batch in that time
    /// keeps batching (a late batch, not an ended one); one that delivered less has slowed, paused or ended, and goes
    /// back to waking per packet so its next bytes do not wait.
    /// </summary>
    public void EndProbe(int source)
    {
        IsProbing = false;
        if (_probeBytes < _batchBytes / 4)
        {
            // Lowering the mark reports anything that arrived since the EAGAIN, so nothing is left waiting.
            Sockets.SetReceiveLowWater(source, 1);
            IsBatching = false;
            EndRun();
        }
    }
}
