using Capture.NativeShims;
using Capture.Proxy.Relaying;

namespace Capture.Proxy.Tests.Relaying;

public class PipePoolTests
{
    [Fact]
    public void TryLease_EmptyPool_CreatesPipeOfRequestedSize()
    {
        using PipePool pool = new(pipeSize: 256 * 1024, capacity: 2);

        bool leased = pool.TryLease(0, out SplicePipe pipe);

        leased.Should().BeTrue();
        pipe.Capacity.Should().Be(256 * 1024);
        Pipes.GetCapacity(pipe.WriteFd).Value.Should().Be(256 * 1024);
        pool.Leased.Should().Be(1);
        pool.Return(pipe, empty: true);
    }

    [Fact]
    public void Return_Empty_IsReusedAndBounded()
    {
        using PipePool pool = new(pipeSize: 64 * 1024, capacity: 1);
        pool.TryLease(0, out SplicePipe first);
        pool.TryLease(0, out SplicePipe second);
        using PipeWitness firstWitness = new(first);
        using PipeWitness secondWitness = new(second);

        pool.Return(first, empty: true);
        pool.Return(second, empty: true);
        pool.TryLease(0, out SplicePipe again);

        again.Should().Be(first);
        firstWitness.WriteEndClosed.Should().BeFalse("the pooled pipe is kept open for reuse");
        pool.Pooled.Should().Be(0);
        secondWitness.WriteEndClosed.Should().BeTrue("the pipe beyond the pool's capacity was closed");
        pool.Return(again, empty: true);
        pool.Pooled.Should().Be(1);
        pool.Leased.Should().Be(0);
    }

    [Fact]
    public void Return_HoldingBytes_IsClosedNotReused()
    {
        using PipePool pool = new(pipeSize: 64 * 1024, capacity: 4);
        pool.TryLease(0, out SplicePipe pipe);
        FileDescriptors.Write(pipe.WriteFd, new byte[10]);
        using PipeWitness witness = new(pipe);

        pool.Return(pipe, empty: false);

        pool.Pooled.Should().Be(0);
        witness.WriteEndClosed.Should().BeTrue();
    }

    [Fact]
    public void Dispose_ClosesIdlePipesAndRefusesNewLeases()
    {
        PipePool pool = new(pipeSize: 64 * 1024, capacity: 4);
        pool.TryLease(0, out SplicePipe pipe);
        pool.Return(pipe, empty: true);
        using PipeWitness witness = new(pipe);

        pool.Dispose();

        witness.WriteEndClosed.Should().BeTrue();
        pool.TryLease(0, out _).Should().BeFalse();
    }
}

/// <summary>
/// Tells whether a pipe's write end has been closed without touching its descriptor numbers, which the kernel hands
/// to the next open() or socket() anywhere in this (parallel) test process the moment they are closed: it holds its own
/// duplicate of the read end, and a read there sees end-of-file once no write end is left.
/// </summary>
internal sealed class PipeWitness : IDisposable
{
    private readonly int _read;

    public PipeWitness(SplicePipe pipe) => _read = FileDescriptors.Duplicate(pipe.ReadFd).Value;

    public bool WriteEndClosed
    {
        get
        {
            byte[] buffer = new byte[4096];
            while (true)
            {
                SysResult read = FileDescriptors.Read(_read, buffer);
                if (read.IsSuccess && read.Value > 0)
                {
                    continue; // bytes left in the pipe come before its end-of-file
                }

                return read.IsSuccess; // 0: end-of-file, no writer left; EAGAIN: a write end is still open
            }
        }
    }

    public void Dispose() => Sockets.Close(_read);
}
