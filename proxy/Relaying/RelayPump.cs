using Capture.NativeShims;
using Capture.Proxy.Reactor;

namespace Capture.Proxy.Relaying;

/// <summary>
/// Moves one direction's bytes on one loop, in a fixed order per step: deliver what is held, forward FIN only after
/// every byte before it, then read more (splice while a burst is large, copy small reads). A bounded number of steps
/// per turn, so one busy connection cannot starve the others on its loop.
/// </summary>
internal sealed class RelayPump
{
    // Never SPLICE_F_MORE: it corks like TCP_CORK and has caused a steady 200 ms delay on request/response traffic.
    private const SpliceFlags Flags = SpliceFlags.SPLICE_F_MOVE | SpliceFlags.SPLICE_F_NONBLOCK;

    /// <summary>Read/write steps per direction per turn.</summary>
    private const int StepBudget = 16;

    private readonly EventLoop _loop;
    private readonly PipePool _pipes;
    private readonly CopyPath _copy;
    private readonly ReadBatchingPolicy _batching;

    public RelayPump(EventLoop loop, PipePool pipes, CopyPath copy, ReadBatchingPolicy batching)
    {
        _loop = loop;
        _pipes = pipes;
        _copy = copy;
        _batching = batching;
    }

    /// <summary>Moves what can be moved in <paramref name="half"/>'s direction, within the step budget.</summary>
    public PumpResult Pump(RelayHalf half)
    {
        for (int step = 0; step < StepBudget; step++)
        {
            if (half.IsFinished)
            {
                return PumpResult.Idle;
            }

            // 1. Deliver what is held, in arrival order.
            if (half.HeldBytes > 0)
            {
                PumpResult sent = _copy.SendHeld(half);
                if (sent.Outcome != PumpOutcome.Continue)
                {
                    return sent;
                }

                continue;
            }

            if (half.InPipe > 0 && half.SinkWritable)
            {
                PumpResult flushed = FlushPipe(half);
                if (flushed.Outcome != PumpOutcome.Continue)
                {
                    return flushed;
                }

                // A partial write without EAGAIN leaves the sink writable: keep flushing. Stopping here with bytes in
                // the pipe and no EAGAIN on either side would wait for an edge that never comes.
                if (half.InPipe > 0 && half.SinkWritable)
                {
                    continue;
                }
            }

            // 2. FIN goes out only after every byte before it.
            if (half.SourceEof)
            {
                if (half.InPipe > 0)
                {
                    return PumpResult.Idle;
                }

                half.Finish(_pipes);
                return PumpResult.Finished;
            }

            if (!half.SourceReadable)
            {
                half.ReleaseEmptyPipe(_pipes);
                return PumpResult.Idle;
            }

            // 3. Read more: splice while a burst is large, copy small reads (one recv+send beats two splices).
            PumpResult read = half.HasOrLeasesPipe(_pipes, _loop.NowMs) ? SpliceIn(half) : _copy.CopyOnce(half);
            if (read.Outcome != PumpOutcome.Continue)
            {
                return read;
            }
        }

        return PumpResult.MoreWork;
    }

    private PumpResult FlushPipe(RelayHalf half)
    {
        SysResult moved = Splicing.Move(half.Pipe.ReadFd, half.SinkFd, half.InPipe, Flags);
        if (moved.IsSuccess)
        {
            half.SplicedOut(moved.Value, _loop.NowMs);
        }
        else if (moved.Error == Errno.EAGAIN)
        {
            half.SinkFull();
        }
        else
        {
            return PumpResult.SinkFailed(moved.Error);
        }

        return PumpResult.Continue;
    }

    private PumpResult SpliceIn(RelayHalf half)
    {
        int space = half.Pipe.Capacity - half.InPipe;
        if (space <= 0)
        {
            return PumpResult.Idle; // full, and the sink said EAGAIN (else the flush above would still run)
        }

        SysResult read = Splicing.Move(half.SourceFd, half.Pipe.WriteFd, space, Flags);
        if (read.IsSuccess)
        {
            if (read.Value == 0)
            {
                half.ReachedEof(); // splice(2) from a socket returns 0 once the peer has shut down its write side
            }
            else if (half.SplicedIn(read.Value, _pipes, _loop.NowMs) && _batching.Enabled)
            {
                half.OnBulkRead(_batching, read.Value, _loop.NowTicks);
                if (half.WaitsForBatch && read.Value < space && !half.SourcePeerShut)
                {
                    // A short splice from a batching source emptied its queue, and the next batch raises a new edge:
                    // the read that would only say EAGAIN is skipped. (Had the pipe run out of slots instead, the
                    // batch deadline reads the rest: the bound batching already has.)
                    half.SourceDrained();
                    half.EndBurst();
                }
            }

            return PumpResult.Continue;
        }

        if (read.Error != Errno.EAGAIN)
        {
            return PumpResult.SourceFailed(read.Error);
        }

        // EAGAIN is ambiguous: with an empty pipe the socket is drained; with bytes in the pipe the pipe may be full
        // (by its slots, one per skb, before its byte capacity). Bytes in the pipe here mean the sink said EAGAIN, so
        // its EPOLLOUT brings us back to flush and then ask the socket again.
        if (half.InPipe == 0)
        {
            half.SourceDrained();
            half.EndProbeIfProbing();
            half.EndBurst();
            half.ReleaseEmptyPipe(_pipes);
        }

        return PumpResult.Idle;
    }
}
