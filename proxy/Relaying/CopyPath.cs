using Capture.NativeShims;
using Capture.Proxy.Configuration;
using Capture.Proxy.Reactor;

namespace Capture.Proxy.Relaying;

/// <summary>
/// The copy path of one loop: small reads go through a pinned scratch buffer with one recv and one send, which beats
/// two splices; what the sink refuses is held in the direction's <see cref="CopyBacklog"/> until it takes it.
/// </summary>
internal sealed class CopyPath
{
    private const int ScratchSize = 64 * 1024;

    private readonly EventLoop _loop;
    private readonly int _threshold;

    // One per loop, pinned, never handed out beyond one recv/send pair.
    private readonly byte[] _scratch = GC.AllocateUninitializedArray<byte>(ScratchSize, pinned: true);

    /// <param name="loop">The loop whose clock stamps activity.</param>
    /// <param name="threshold"><see cref="ProxyOptions.CopyThreshold"/>: the size of a probe read; 0 when copying is off.</param>
    public CopyPath(EventLoop loop, int threshold)
    {
        _loop = loop;
        _threshold = threshold;
    }

    /// <summary>Sends what <paramref name="half"/> holds, oldest first.</summary>
    public PumpResult SendHeld(RelayHalf half)
    {
        if (!half.SinkWritable)
        {
            return PumpResult.Idle;
        }

        SysResult sent = Sockets.Send(half.SinkFd, half.Held);
        if (sent.IsSuccess)
        {
            half.HeldSent(sent.Value, _loop.NowMs);
            return PumpResult.Continue;
        }

        if (sent.Error == Errno.EAGAIN)
        {
            half.SinkFull();
            return PumpResult.Idle;
        }

        return PumpResult.SinkFailed(sent.Error);
    }

    /// <summary>One recv into the scratch buffer and one send; what the sink refuses is held back.</summary>
    public PumpResult CopyOnce(RelayHalf half)
    {
        // A probe read of `threshold` bytes; without a pipe to switch to (pool exhausted), read the whole buffer.
        int size = half.PrefersSplice || _threshold == 0 ? _scratch.Length : Math.Min(_threshold, _scratch.Length);
        SysResult read = Sockets.Receive(half.SourceFd, _scratch.AsSpan(0, size));
        if (!read.IsSuccess)
        {
            if (read.Error == Errno.EAGAIN)
            {
                half.SourceDrained();
                half.EndBurst();
                return PumpResult.Idle;
            }

            return PumpResult.SourceFailed(read.Error);
        }

        int count = read.Value;
        if (count == 0)
        {
            half.ReachedEof();
            return PumpResult.Continue;
        }

        half.CopiedIn(count, size, _loop.NowMs);
        int sent = 0;
        if (half.SinkWritable)
        {
            SysResult result = Sockets.Send(half.SinkFd, _scratch.AsSpan(0, count));
            if (result.IsSuccess)
            {
                sent = result.Value;
                half.CopiedOut(sent, _loop.NowMs);
            }
            else if (result.Error == Errno.EAGAIN)
            {
                half.SinkFull();
            }
            else
            {
                return PumpResult.SinkFailed(result.Error);
            }
        }

        if (sent < count)
        {
            half.HoldBack(_scratch.AsSpan(sent, count - sent));
        }

        return PumpResult.Continue;
    }
}
