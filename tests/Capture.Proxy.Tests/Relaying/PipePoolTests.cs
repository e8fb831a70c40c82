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

        pool.Return(first, empty: true);
        pool.Return(second, empty: true);
        pool.TryLease(0, out SplicePipe again);

        again.Should().Be(first);
        pool.Pooled.Should().Be(0);
        FileDescriptors.Write(second.WriteFd, new byte[1]).Error.Should().Be(Errno.EBADF, "the pipe beyond the pool's capacity was closed");
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

        pool.Return(pipe, empty: false);

        pool.Pooled.Should().Be(0);
        FileDescriptors.Write(pipe.WriteFd, new byte[1]).Error.Should().Be(Errno.EBADF);
    }

    [Fact]
    public void Dispose_ClosesIdlePipesAndRefusesNewLeases()
    {
        PipePool pool = new(pipeSize: 64 * 1024, capacity: 4);
        pool.TryLease(0, out SplicePipe pipe);
        pool.Return(pipe, empty: true);

        pool.Dispose();

        FileDescriptors.Write(pipe.WriteFd, new byte[1]).Error.Should().Be(Errno.EBADF);
        pool.TryLease(0, out _).Should().BeFalse();
    }
}
