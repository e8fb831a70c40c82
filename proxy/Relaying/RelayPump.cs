using System.Buffers;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;

namespace Capture.Proxy.Relaying;

internal sealed partial class Connection
{
    // Never SPLICE_F_MORE: it corks like TCP_CORK and has caused a steady 200 ms delay on request/response traffic.
    private const SpliceFlags Flags = SpliceFlags.SPLICE_F_MOVE | SpliceFlags.SPLICE_F_NONBLOCK;

    /// <summary>Read/write steps per direction per turn, so one busy connection cannot starve the others on its loop.</summary>
    private const int StepBudget = 16;

    /// <summary>
    /// A burst this long is bulk even if no single read filled the pipe: four default pipefuls, which request/response
    /// traffic rarely moves without a pause and a bulk transfer crosses within a millisecond at 10 Gbit/s.
    /// </summary>
    private const int BulkBurstBytes = 4 * Pipes.DefaultCapacity;

    /// <summary>A direction batches its reads only after moving this many batches as one bulk run.</summary>
    private const int BatchesBeforeBatching = 4;

    /// <summary>Smallest batch worth a low-water mark: a stream that cannot fill 64 KiB in half the wait is read per packet.</summary>
    private const int MinReadBatch = 64 * 1024;

    private enum PumpOutcome
    {
        Idle,
        MoreWork,
        Closed,
    }

    /// <summary>Moves what can be moved in both directions; queues itself if either ran out of budget.</summary>
    public void PumpBoth()
    {
        PumpOutcome up = Pump(_up);
        if (up == PumpOutcome.Closed)
        {
            return;
        }

        PumpOutcome down = Pump(_down);
        if (down == PumpOutcome.Closed)
        {
            return;
        }

        if (up == PumpOutcome.MoreWork || down == PumpOutcome.MoreWork)
        {
            _loop.MarkRunnable(this);
        }
    }

    private PumpOutcome Pump(RelayHalf half)
    {
        int source = half.FromClient ? _clientFd : _upstreamFd;
        int sink = half.FromClient ? _upstreamFd : _clientFd;
        ref bool readable = ref half.FromClient ? ref _clientReadable : ref _upstreamReadable;
        ref bool writable = ref half.FromClient ? ref _upstreamWritable : ref _clientWritable;
        for (int step = 0; step < StepBudget; step++)
        {
            if (half.Finished)
            {
                return PumpOutcome.Idle;
            }

            // 1. Deliver what is held, in arrival order.
            if (half.BacklogCount > 0)
            {
                if (!writable)
                {
                    return PumpOutcome.Idle;
                }

                SysResult sent = Sockets.Send(sink, half.Backlog.AsSpan(half.BacklogOffset, half.BacklogCount));
                if (sent.IsSuccess)
                {
                    Delivered(half, sent.Value, spliced: false);
                    half.BacklogOffset += sent.Value;
                    half.BacklogCount -= sent.Value;
                    if (half.BacklogCount == 0)
                    {
                        ArrayPool<byte>.Shared.Return(half.Backlog!);
                        half.Backlog = null;
                    }

                    continue;
                }

                if (sent.Error == Errno.EAGAIN)
                {
                    writable = false;
                    return PumpOutcome.Idle;
                }

                SideFailed(client: !half.FromClient, sent.Error);
                return PumpOutcome.Closed;
            }

            if (half.InPipe > 0 && writable)
            {
                SysResult moved = Splicing.Move(half.Pipe.ReadFd, sink, half.InPipe, Flags);
                if (moved.IsSuccess)
                {
                    half.InPipe -= moved.Value;
                    Delivered(half, moved.Value, spliced: true);
                }
                else if (moved.Error == Errno.EAGAIN)
                {
                    writable = false;
                }
                else
                {
                    SideFailed(client: !half.FromClient, moved.Error);
                    return PumpOutcome.Closed;
                }

                // A partial write without EAGAIN leaves the sink writable: keep flushing. Stopping here with bytes in
                // the pipe and no EAGAIN on either side would wait for an edge that never comes.
                if (half.InPipe > 0 && writable)
                {
                    continue;
                }
            }

            // 2. FIN goes out only after every byte before it.
            if (half.SourceEof)
            {
                return half.InPipe > 0 ? PumpOutcome.Idle : FinishHalf(half, sink);
            }

            if (!readable)
            {
                ReleaseEmptyPipe(half);
                return PumpOutcome.Idle;
            }

            // 3. Read more: splice while a burst is large, copy small reads (one recv+send beats two splices).
            if (half.Pipe.IsValid || (half.PreferSplice && _loop.Pipes.TryLease(_loop.NowMs, half.Bulk, out half.Pipe)))
            {
                int space = half.Pipe.Capacity - half.InPipe;
                if (space <= 0)
                {
                    return PumpOutcome.Idle; // full, and the sink said EAGAIN (else the flush above would still run)
                }

                SysResult read = Splicing.Move(source, half.Pipe.WriteFd, space, Flags);
                if (read.IsSuccess)
                {
                    if (read.Value == 0)
                    {
                        half.SourceEof = true; // splice(2) from a socket returns 0 once the peer has shut down its write side
                        half.Batching = false; // nothing more to read: no deadline to keep
                    }
                    else
                    {
                        half.InPipe += read.Value;
                        half.Burst += read.Value;
                        LastActivityMs = _loop.NowMs;
                        if (half.InPipe == half.Pipe.Capacity || half.Burst >= BulkBurstBytes)
                        {
                            // Bulk: the socket held a pipeful, or the burst goes on. A bigger pipe moves more per
                            // splice pair (see PipePool); the pool says no, without a system call, once at its limit.
                            half.Bulk = true;
                            _loop.Pipes.TryGrow(_loop.NowMs, ref half.Pipe);
                        }

                        if (half.Bulk && _loop.Options.ReadBatch > 0)
                        {
                            TrackBatching(half, source, read.Value);
                            if (half.Batching && !half.Probing && read.Value < space && !PeerShut(half))
                            {
                                // A short splice from a batching source emptied its queue, and the next batch raises a
                                // new edge: the read that would only say EAGAIN is skipped. (Had the pipe run out of
                                // slots instead, the batch deadline reads the rest: the bound batching already has.)
                                readable = false;
                                EndBurst(half);
                            }
                        }
                    }

                    continue;
                }

                if (read.Error != Errno.EAGAIN)
                {
                    SideFailed(client: half.FromClient, read.Error);
                    return PumpOutcome.Closed;
                }

                // EAGAIN is ambiguous: with an empty pipe the socket is drained; with bytes in the pipe the pipe may
                // be full (by its slots, one per skb, before its byte capacity). Bytes in the pipe here mean the sink
                // said EAGAIN, so its EPOLLOUT brings us back to flush and then ask the socket again.
                if (half.InPipe == 0)
                {
                    readable = false;
                    if (half.Probing)
                    {
                        EndProbe(half, source);
                    }

                    EndBurst(half);
                    ReleaseEmptyPipe(half);
                }

                return PumpOutcome.Idle;
            }

            PumpOutcome? copied = CopyOnce(half, source, sink, ref readable, ref writable);
            if (copied is { } outcome)
            {
                return outcome;
            }
        }

        return PumpOutcome.MoreWork;
    }

    /// <summary>One recv into the loop's scratch buffer and one send; what the sink refuses goes to a rented backlog.</summary>
    private PumpOutcome? CopyOnce(RelayHalf half, int source, int sink, ref bool readable, ref bool writable)
    {
        byte[] scratch = _loop.Scratch;
        int threshold = _loop.Options.CopyThreshold;
        // A probe read of `threshold` bytes; without a pipe to switch to (pool exhausted), read the whole buffer.
        int size = half.PreferSplice || threshold == 0 ? scratch.Length : Math.Min(threshold, scratch.Length);
        SysResult read = Sockets.Receive(source, scratch.AsSpan(0, size));
        if (!read.IsSuccess)
        {
            if (read.Error == Errno.EAGAIN)
            {
                readable = false;
                EndBurst(half);
                return PumpOutcome.Idle;
            }

            SideFailed(client: half.FromClient, read.Error);
            return PumpOutcome.Closed;
        }

        int count = read.Value;
        if (count == 0)
        {
            half.SourceEof = true;
            return null;
        }

        half.Burst += count;
        LastActivityMs = _loop.NowMs;
        if (count == size && threshold > 0)
        {
            half.PreferSplice = true; // a full probe: this is bulk, splice the rest of the burst
        }
        else if (count < size && !PeerShut(half))
        {
            // recv(2) on TCP stops short only when the receive queue ran dry, and whatever arrives later raises a new
            // edge: the read that would only say EAGAIN is skipped. Once FIN is reported it gets no new edge, so then
            // the socket is read down to 0.
            readable = false;
            EndBurst(half);
        }

        int sent = 0;
        if (writable)
        {
            SysResult result = Sockets.Send(sink, scratch.AsSpan(0, count));
            if (result.IsSuccess)
            {
                sent = result.Value;
                Delivered(half, sent, spliced: false);
            }
            else if (result.Error == Errno.EAGAIN)
            {
                writable = false;
            }
            else
            {
                SideFailed(client: !half.FromClient, result.Error);
                return PumpOutcome.Closed;
            }
        }

        int remaining = count - sent;
        if (remaining > 0)
        {
            half.Backlog = ArrayPool<byte>.Shared.Rent(remaining);
            scratch.AsSpan(sent, remaining).CopyTo(half.Backlog);
            half.BacklogOffset = 0;
            half.BacklogCount = remaining;
        }

        return null;
    }

    /// <summary>The source's FIN (or reset) has been reported: it raises no new edge, so it must be read down to 0.</summary>
    private bool PeerShut(RelayHalf half) => half.FromClient ? _clientPeerShut : _upstreamPeerShut;

    private PumpOutcome FinishHalf(RelayHalf half, int sink)
    {
        half.Finished = true;
        ReleaseEmptyPipe(half);
        RelayHalf other = half.FromClient ? _down : _up;
        if (other.Finished)
        {
            // The last FIN goes out with close(2): both sources were read to EOF, so neither socket holds unread bytes
            // that would turn the close into a reset. One system call less per connection than shutdown then close.
            Close(ConnectionEndReason.Completed, Errno.None, resetClient: false, resetUpstream: false);
            return PumpOutcome.Closed;
        }

        // The peer's FIN is forwarded as ours. ENOTCONN means the sink is already fully closed: nothing left to tell it.
        Sockets.Shutdown(sink, SocketShutdown.Send);
        return PumpOutcome.Idle;
    }

    private void Delivered(RelayHalf half, int bytes, bool spliced)
    {
        half.Bytes += bytes;
        if (spliced)
        {
            half.Spliced += bytes;
        }
        else
        {
            half.Copied += bytes;
        }

        LastActivityMs = _loop.NowMs;
    }

    private void EndBurst(RelayHalf half)
    {
        int threshold = _loop.Options.CopyThreshold;
        if (threshold > 0 && half.Burst < threshold)
        {
            half.PreferSplice = false;
        }

        // A burst of a pipeful or more asks for an idle grown pipe at the start of the next one.
        half.Bulk = half.Burst >= Pipes.DefaultCapacity;
        half.Burst = 0;
        if (!half.Bulk)
        {
            half.RunStart = 0; // the bulk run is over: batching must be earned again
            half.RunBytes = 0;
        }
    }

    /// <summary>
    /// Read batching (<see cref="ProxyOptions.ReadBatch"/>). Every wake-up costs a context switch, an epoll_wait
    /// and a splice pair whatever it moves, and a fast sender wakes its reader per packet. Once this direction has
    /// moved <see cref="BatchesBeforeBatching"/> batches as one bulk run, its source gets SO_RCVLOWAT of one batch (what
    /// the run delivers in half the longest wait, at most --read-batch): the kernel then wakes the loop per batch. The
    /// loop's deadline (four times the expected fill time, at most the longest wait) catches a stream that slows,
    /// pauses or ends without FIN; FIN and errors wake it anyway.
    /// </summary>
    private void TrackBatching(RelayHalf half, int source, int bytes)
    {
        long now = _loop.NowTicks;
        if (half.Batching)
        {
            half.BatchDeadline = now + half.BatchWait;
            half.ProbeBytes += bytes;
            return;
        }

        if (half.RunStart == 0)
        {
            half.RunStart = now; // the clock starts here: bytes of this first read arrived before it
            half.RunBytes = 0;
            return;
        }

        half.RunBytes += bytes;
        // The batch is what this run delivers in half the longest wait, at most --read-batch: a slower stream gets a
        // smaller batch rather than a late one, and one too slow for even the smallest batch does not batch at all.
        long elapsed = Math.Max(now - half.RunStart, 1);
        long fillable = (long)((double)half.RunBytes * (_loop.MaxBatchWaitTicks / 2) / elapsed);
        int batch = (int)Math.Min(_loop.Options.ReadBatch, fillable);
        if (batch < Math.Min(MinReadBatch, _loop.Options.ReadBatch) || !_loop.CanStartBatching(this))
        {
            half.RunStart = now; // too slow for batching, or enough streams batch on this loop: measure afresh
            half.RunBytes = 0;
            return;
        }

        if (half.RunBytes < (long)BatchesBeforeBatching * batch)
        {
            return;
        }

        long fill = (long)((double)elapsed * batch / half.RunBytes); // time one batch takes to arrive at this rate
        long wait = Math.Clamp(4 * fill, _loop.MinBatchWaitTicks, _loop.MaxBatchWaitTicks);
        if (Sockets.SetReceiveLowWater(source, batch) != Errno.None)
        {
            return; // the socket is failing; the next read says how
        }

        half.Batching = true;
        half.Probing = false;
        half.BatchBytes = batch;
        half.BatchWait = wait;
        half.BatchDeadline = now + wait;
        _loop.StartBatching(this);
    }

    /// <summary>
    /// An overdue batch has been read down to EAGAIN. A stream that still delivered a quarter of a batch in that time
    /// keeps batching (a late batch, not an ended one); one that delivered less has slowed, paused or ended, and goes
    /// back to waking per packet so its next bytes do not wait.
    /// </summary>
    private static void EndProbe(RelayHalf half, int source)
    {
        half.Probing = false;
        if (half.ProbeBytes < half.BatchBytes / 4)
        {
            // Lowering the mark reports anything that arrived since the EAGAIN, so nothing is left waiting.
            Sockets.SetReceiveLowWater(source, 1);
            half.Batching = false;
            half.RunStart = 0;
            half.RunBytes = 0;
        }
    }

    /// <summary>Earliest batch deadline of either direction, or <see cref="long.MaxValue"/> when neither batches.</summary>
    public long NextBatchDeadline => Math.Min(_up.Batching ? _up.BatchDeadline : long.MaxValue, _down.Batching ? _down.BatchDeadline : long.MaxValue);

    /// <summary>
    /// Called by the loop for a batching connection: a direction whose batch is overdue is read now, below the mark
    /// (see <see cref="EndProbe"/>). Returns whether either direction still batches.
    /// </summary>
    public bool ExpireBatches(long now)
    {
        if (State != ConnectionState.Relaying)
        {
            return false;
        }

        bool due = Probe(_up, now) | Probe(_down, now);
        if (due)
        {
            _loop.MarkRunnable(this);
        }

        return _up.Batching || _down.Batching;
    }

    private bool Probe(RelayHalf half, long now)
    {
        if (!half.Batching || now < half.BatchDeadline)
        {
            return false;
        }

        if (half.SourceEof)
        {
            half.Batching = false; // FIN read (on the copy path, when no pipe could be had): no batch will come
            return false;
        }

        half.BatchDeadline = now + half.BatchWait;
        if (half.InPipe > 0 || half.BacklogCount > 0)
        {
            return false; // the sink is the bottleneck: its EPOLLOUT brings the pump back, nothing to read early
        }

        half.Probing = true;
        half.ProbeBytes = 0;
        if (half.FromClient)
        {
            _clientReadable = true;
        }
        else
        {
            _upstreamReadable = true;
        }

        return true;
    }

    /// <summary>Pipes are leased only while bytes are in flight: an empty pipe goes back as soon as the burst ends.</summary>
    private void ReleaseEmptyPipe(RelayHalf half)
    {
        if (half.Pipe.IsValid && half.InPipe == 0)
        {
            _loop.Pipes.Return(half.Pipe, empty: true);
            half.Pipe = SplicePipe.None;
        }
    }
}
