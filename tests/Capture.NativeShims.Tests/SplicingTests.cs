using System.Net.Sockets;
using System.Security.Cryptography;

namespace Capture.NativeShims.Tests;

public class SplicingTests
{
    private const SpliceFlags Flags = SpliceFlags.SPLICE_F_MOVE | SpliceFlags.SPLICE_F_NONBLOCK;

    [Fact]
    public void Move_SocketToPipeToSocket_DeliversBytesIntact()
    {
        using TcpPair inbound = TcpPair.Create();
        using TcpPair outbound = TcpPair.Create();
        using PipeFixture pipe = new();
        byte[] payload = RandomNumberGenerator.GetBytes(1000);
        Sockets.Send(inbound.Client.Fd, payload).Value.Should().Be(payload.Length);
        WaitReadable(inbound.Server.Fd);

        SysResult intoPipe = Splicing.Move(inbound.Server.Fd, pipe.Write.Fd, 64 * 1024, Flags);
        SysResult outOfPipe = Splicing.Move(pipe.Read.Fd, outbound.Server.Fd, intoPipe.Value, Flags);

        intoPipe.Should().Be(SysResult.Ok(payload.Length));
        outOfPipe.Should().Be(SysResult.Ok(payload.Length));
        byte[] received = new byte[payload.Length];
        ReceiveExactly(outbound.Client.Fd, received);
        received.Should().Equal(payload);
    }

    [Fact]
    public void Move_EmptyNonBlockingSocket_ReturnsEagainWithEmptyPipe()
    {
        using TcpPair pair = TcpPair.Create();
        using PipeFixture pipe = new();

        SysResult result = Splicing.Move(pair.Server.Fd, pipe.Write.Fd, 4096, Flags);

        result.Error.Should().Be(Errno.EAGAIN);
        Pipes.BytesAvailable(pipe.Read.Fd).Value.Should().Be(0);
    }

    [Fact]
    public void Move_AfterPeerShutsWrite_ReturnsZero()
    {
        using TcpPair pair = TcpPair.Create();
        using PipeFixture pipe = new();
        Sockets.Send(pair.Client.Fd, "tail"u8).Value.Should().Be(4);
        Sockets.Shutdown(pair.Client.Fd, SocketShutdown.Send).Should().Be(Errno.None);
        WaitReadable(pair.Server.Fd);

        SysResult data = Splicing.Move(pair.Server.Fd, pipe.Write.Fd, 4096, Flags);
        SysResult eof = Splicing.Move(pair.Server.Fd, pipe.Write.Fd, 4096, Flags);

        data.Should().Be(SysResult.Ok(4));
        eof.Should().Be(SysResult.Ok(0)); // splice(2) from a socket returns 0 once the peer has shut down its write side.
    }

    [Fact]
    public void Move_FullPipe_ReturnsEagainWhileSocketStillHasData()
    {
        using TcpPair pair = TcpPair.Create();
        using PipeFixture pipe = new();
        int capacity = Pipes.SetCapacity(pipe.Write.Fd, 4096).Value;
        byte[] payload = new byte[capacity * 4];
        Sockets.Send(pair.Client.Fd, payload).Value.Should().Be(payload.Length);
        WaitReadable(pair.Server.Fd);

        int moved = 0;
        SysResult last;
        while ((last = Splicing.Move(pair.Server.Fd, pipe.Write.Fd, capacity, Flags)).IsSuccess)
        {
            moved += last.Value;
        }

        last.Error.Should().Be(Errno.EAGAIN);
        moved.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(capacity);
        Pipes.BytesAvailable(pipe.Read.Fd).Value.Should().Be(moved, "the bytes held in the pipe tell a full pipe from an empty socket");
        Pipes.BytesAvailable(pair.Server.Fd).Value.Should().BePositive();
    }

    [Fact]
    public void Move_ZeroLength_IsRejectedBeforeTheCall()
    {
        Action act = () => Splicing.Move(0, 1, 0, Flags);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Move_ToResetPeer_ReportsEpipeOrEconnreset()
    {
        using TcpPair pair = TcpPair.Create();
        using PipeFixture pipe = new();
        Sockets.SetLingerZero(pair.Client.Fd).Should().Be(Errno.None);
        pair.Client.Dispose(); // RST
        byte[] chunk = new byte[4096];
        Sockets.Send(pipe.Write.Fd, chunk).Error.Should().Be(Errno.ENOTSOCK, "send on a pipe is refused, so fill it with write below");
        FillPipe(pipe.Write.Fd, chunk);
        Thread.Sleep(50);

        SysResult result = Splicing.Move(pipe.Read.Fd, pair.Server.Fd, chunk.Length, Flags);

        result.Error.Should().BeOneOf(Errno.EPIPE, Errno.ECONNRESET);
    }

    private static void FillPipe(int fd, byte[] chunk) => FileDescriptors.Write(fd, chunk).Should().Be(SysResult.Ok(chunk.Length));

    internal static void WaitReadable(int fd)
    {
        using Epoll epoll = Epoll.Create(4);
        epoll.Add(fd, EpollEvents.EPOLLIN, 1).Should().Be(Errno.None);
        epoll.Wait(5000).Value.Should().Be(1);
        Thread.Sleep(20); // let the rest of a small burst arrive on loopback
    }

    internal static void ReceiveExactly(int fd, byte[] buffer)
    {
        int offset = 0;
        while (offset < buffer.Length)
        {
            SysResult r = Sockets.Receive(fd, buffer.AsSpan(offset));
            r.Error.Should().Be(Errno.None);
            r.Value.Should().BePositive();
            offset += r.Value;
        }
    }
}
