using Capture.NativeShims;
using Capture.Proxy.Relaying;

namespace Capture.Proxy.Tests.Relaying;

public class PipePoolTests
{
    [Theory]
    [InlineData(1024 * 1024, 64 * 1024)]
    [InlineData(256 * 1024, 64 * 1024)]
    [InlineData(64 * 1024, 64 * 1024)]
    [InlineData(32 * 1024, 32 * 1024)]
    public void TryLease_EmptyPool_CreatesBaseSizePipe(int pipeSize, int expected)
    {
        using PipePool pool = new(pipeSize, capacity: 2, bulkLimit: 1);

        bool leased = pool.TryLease(0, bulk: true, out SplicePipe pipe);

        leased.Should().BeTrue();
        pipe.Capacity.Should().Be(expected);
        Pipes.GetCapacity(pipe.WriteFd).Value.Should().Be(expected);
        pool.Leased.Should().Be(1);
        pool.Bulk.Should().Be(0);
        pool.Return(pipe, empty: true);
    }

    [Fact]
    public void TryGrow_HoldingBytes_GrowsInPlaceToPipeSizeAndKeepsTheBytes()
    {
        using PipePool pool = new(pipeSize: 1024 * 1024, capacity: 2, bulkLimit: 1);
        pool.TryLease(0, bulk: false, out SplicePipe pipe);
        FileDescriptors.Write(pipe.WriteFd, new byte[1000]);

        bool grown = pool.TryGrow(0, ref pipe);

        grown.Should().BeTrue();
        pipe.Capacity.Should().Be(1024 * 1024);
        Pipes.GetCapacity(pipe.WriteFd).Value.Should().Be(1024 * 1024);
        Pipes.BytesAvailable(pipe.ReadFd).Value.Should().Be(1000);
        pool.Bulk.Should().Be(1);
        pool.Return(pipe, empty: false);
        pool.Bulk.Should().Be(0, "a grown pipe that is closed frees its place under the limit");
    }

    [Fact]
    public void TryGrow_AtTheLimitOrAlreadyGrown_ReturnsFalseAndLeavesThePipe()
    {
        using PipePool pool = new(pipeSize: 256 * 1024, capacity: 2, bulkLimit: 1);
        pool.TryLease(0, bulk: false, out SplicePipe first);
        pool.TryLease(0, bulk: false, out SplicePipe second);
        pool.TryGrow(0, ref first).Should().BeTrue();

        bool again = pool.TryGrow(0, ref first);
        bool overLimit = pool.TryGrow(0, ref second);

        again.Should().BeFalse();
        overLimit.Should().BeFalse();
        second.Capacity.Should().Be(64 * 1024);
        Pipes.GetCapacity(second.WriteFd).Value.Should().Be(64 * 1024);
        pool.Bulk.Should().Be(1);
        pool.Return(first, empty: true);
        pool.Return(second, empty: true);
    }

    [Fact]
    public void TryGrow_PipeSizeNotAboveBase_NeverGrows()
    {
        using PipePool pool = new(pipeSize: 64 * 1024, capacity: 2, bulkLimit: 4);
        pool.TryLease(0, bulk: true, out SplicePipe pipe);

        bool grown = pool.TryGrow(0, ref pipe);

        grown.Should().BeFalse();
        pipe.Capacity.Should().Be(64 * 1024);
        pool.Return(pipe, empty: true);
    }

    [Fact]
    public void TryLease_AfterAGrownPipeCameBack_GivesItToBulkAndBaseSizeToOthers()
    {
        using PipePool pool = new(pipeSize: 1024 * 1024, capacity: 2, bulkLimit: 2);
        pool.TryLease(0, bulk: false, out SplicePipe grown);
        pool.TryLease(0, bulk: false, out SplicePipe plain);
        pool.TryGrow(0, ref grown);
        pool.Return(grown, empty: true);
        pool.Return(plain, empty: true);

        pool.TryLease(0, bulk: false, out SplicePipe forSmall);
        pool.TryLease(0, bulk: true, out SplicePipe forBulk);

        forSmall.Should().Be(plain);
        forBulk.Should().Be(grown);
        pool.Bulk.Should().Be(1, "the grown pipe stayed open in the pool and counts against the limit");
        pool.Return(forSmall, empty: true);
        pool.Return(forBulk, empty: true);
        pool.Pooled.Should().Be(2);
    }

    [Fact]
    public void Return_GrownPipeWithNoPoolCapacity_IsClosedAndFreesItsPlace()
    {
        using PipePool pool = new(pipeSize: 1024 * 1024, capacity: 0, bulkLimit: 4);
        pool.TryLease(0, bulk: false, out SplicePipe pipe);
        pool.TryGrow(0, ref pipe).Should().BeTrue();
        using PipeWitness witness = new(pipe);

        pool.Return(pipe, empty: true);

        witness.WriteEndClosed.Should().BeTrue("--pipe-pool-size 0 keeps no idle pipe, grown or not");
        pool.Pooled.Should().Be(0);
        pool.Bulk.Should().Be(0);
    }

    [Theory]
    [InlineData(1024 * 1024, 2, 8)]
    [InlineData(1024 * 1024, 1, 16)]
    [InlineData(256 * 1024, 2, 32)]
    [InlineData(1024 * 1024, 64, 1)]
    public void BulkLimit_SplitsTheProcessBudgetAcrossWorkers(int pipeSize, int workers, int expected)
    {
        int limit = PipePool.BulkLimit(pipeSize, workers);

        limit.Should().Be(expected);
    }

    [Fact]
    public void Return_Empty_IsReusedAndBounded()
    {
        using PipePool pool = new(pipeSize: 64 * 1024, capacity: 1, bulkLimit: 0);
        pool.TryLease(0, bulk: false, out SplicePipe first);
        pool.TryLease(0, bulk: false, out SplicePipe second);
        using PipeWitness firstWitness = new(first);
        using PipeWitness secondWitness = new(second);

        pool.Return(first, empty: true);
        pool.Return(second, empty: true);
        pool.TryLease(0, bulk: false, out SplicePipe again);

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
        using PipePool pool = new(pipeSize: 64 * 1024, capacity: 4, bulkLimit: 0);
        pool.TryLease(0, bulk: false, out SplicePipe pipe);
        FileDescriptors.Write(pipe.WriteFd, new byte[10]);
        using PipeWitness witness = new(pipe);

        pool.Return(pipe, empty: false);

        pool.Pooled.Should().Be(0);
        witness.WriteEndClosed.Should().BeTrue();
    }

    [Fact]
    public void Dispose_ClosesIdlePipesAndRefusesNewLeases()
    {
        PipePool pool = new(pipeSize: 64 * 1024, capacity: 4, bulkLimit: 0);
        pool.TryLease(0, bulk: false, out SplicePipe pipe);
        pool.Return(pipe, empty: true);
        using PipeWitness witness = new(pipe);

        pool.Dispose();

        witness.WriteEndClosed.Should().BeTrue();
        pool.TryLease(0, bulk: false, out _).Should().BeFalse();
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
