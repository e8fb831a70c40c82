using System.Net.Sockets;

namespace Capture.NativeShims.Tests;

public class EpollTests
{
    [Fact]
    public void Wait_NothingReady_TimesOutWithZero()
    {
        using Epoll epoll = Epoll.Create(8);
        using TcpPair pair = TcpPair.Create();
        epoll.Add(pair.Server.Fd, EpollEvents.EPOLLIN, 7).Should().Be(Errno.None);

        SysResult result = epoll.Wait(10);

        result.Should().Be(SysResult.Ok(0));
    }

    [Fact]
    public void WaitMicroseconds_NothingReady_WaitsAboutThatLong()
    {
        using Epoll epoll = Epoll.Create(8);
        using TcpPair pair = TcpPair.Create();
        epoll.Add(pair.Server.Fd, EpollEvents.EPOLLIN, 7).Should().Be(Errno.None);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        SysResult result = epoll.WaitMicroseconds(300);

        watch.Stop();
        result.Should().Be(SysResult.Ok(0));
        // Never early; with epoll_pwait2 well under the millisecond epoll_wait would round it up to (scheduling on a
        // busy machine can add more, so the upper bound is loose).
        watch.Elapsed.TotalMicroseconds.Should().BeGreaterThanOrEqualTo(300);
        watch.Elapsed.TotalMilliseconds.Should().BeLessThan(200);
    }

    [Fact]
    public void WaitMicroseconds_DataArrives_ReportsItBeforeTheTimeout()
    {
        using Epoll epoll = Epoll.Create(8);
        using TcpPair pair = TcpPair.Create();
        epoll.Add(pair.Server.Fd, EpollEvents.EPOLLIN, 9).Should().Be(Errno.None);
        Sockets.Send(pair.Client.Fd, "x"u8);

        SysResult result = epoll.WaitMicroseconds(5_000_000);

        result.Should().Be(SysResult.Ok(1));
        epoll.GetEvent(0).Should().Be(new EpollEvent(EpollEvents.EPOLLIN, 9));
    }

    [Fact]
    public void ReceiveLowWater_HoldsReadinessUntilEnoughIsQueued_AndFinStillWakes()
    {
        using Epoll epoll = Epoll.Create(8);
        using TcpPair pair = TcpPair.Create();
        Sockets.SetReceiveLowWater(pair.Server.Fd, 4096).Should().Be(Errno.None);
        Sockets.GetReceiveLowWater(pair.Server.Fd, out int lowWater).Should().Be(Errno.None);
        lowWater.Should().Be(4096);
        epoll.Add(pair.Server.Fd, EpollEvents.EPOLLIN | EpollEvents.EPOLLRDHUP | EpollEvents.EPOLLET, 3).Should().Be(Errno.None);

        Sockets.Send(pair.Client.Fd, new byte[1000]).Value.Should().Be(1000);
        epoll.Wait(50).Value.Should().Be(0, "1000 bytes are below the 4096-byte low-water mark");
        Sockets.Receive(pair.Server.Fd, new byte[8192]).Should().Be(SysResult.Ok(1000), "a read returns what is queued regardless");

        Sockets.Send(pair.Client.Fd, new byte[5000]).Value.Should().Be(5000);
        epoll.Wait(5000).Value.Should().Be(1, "5000 bytes reach the mark");
        Sockets.Receive(pair.Server.Fd, new byte[8192]).Should().Be(SysResult.Ok(5000));

        Sockets.Send(pair.Client.Fd, new byte[10]).Value.Should().Be(10);
        epoll.Wait(50).Value.Should().Be(0);
        Sockets.SetReceiveLowWater(pair.Server.Fd, 1).Should().Be(Errno.None);
        epoll.Wait(5000).Value.Should().Be(1, "lowering the mark below what is queued reports it at once");
        Sockets.Receive(pair.Server.Fd, new byte[8192]).Should().Be(SysResult.Ok(10));

        Sockets.SetReceiveLowWater(pair.Server.Fd, 4096).Should().Be(Errno.None);
        Sockets.Send(pair.Client.Fd, new byte[10]).Value.Should().Be(10);
        Sockets.Shutdown(pair.Client.Fd, SocketShutdown.Send).Should().Be(Errno.None);
        epoll.Wait(5000).Value.Should().Be(1, "FIN wakes the reader below the mark");
        epoll.GetEvent(0).Events.Should().HaveFlag(EpollEvents.EPOLLRDHUP);
    }

    [Fact]
    public void Wait_DataArrives_ReportsReadableWithTheToken()
    {
        using Epoll epoll = Epoll.Create(8);
        using TcpPair pair = TcpPair.Create();
        const ulong token = 0x1234_5678_9abc_def0;
        epoll.Add(pair.Server.Fd, EpollEvents.EPOLLIN | EpollEvents.EPOLLRDHUP | EpollEvents.EPOLLET, token).Should().Be(Errno.None);
        Sockets.Send(pair.Client.Fd, "x"u8);

        SysResult result = epoll.Wait(5000);

        result.Should().Be(SysResult.Ok(1));
        epoll.GetEvent(0).Should().Be(new EpollEvent(EpollEvents.EPOLLIN, token));
    }

    [Fact]
    public void Wait_PeerShutsWrite_ReportsRdhup()
    {
        using Epoll epoll = Epoll.Create(8);
        using TcpPair pair = TcpPair.Create();
        epoll.Add(pair.Server.Fd, EpollEvents.EPOLLIN | EpollEvents.EPOLLRDHUP, 1).Should().Be(Errno.None);
        Sockets.Shutdown(pair.Client.Fd, SocketShutdown.Send).Should().Be(Errno.None);

        epoll.Wait(5000).Value.Should().Be(1);

        epoll.GetEvent(0).Events.Should().HaveFlag(EpollEvents.EPOLLRDHUP);
    }

    [Fact]
    public void Wait_PeerResets_ReportsErrAndHup()
    {
        using Epoll epoll = Epoll.Create(8);
        using TcpPair pair = TcpPair.Create();
        epoll.Add(pair.Server.Fd, EpollEvents.EPOLLIN | EpollEvents.EPOLLRDHUP, 1).Should().Be(Errno.None);
        Sockets.SetLingerZero(pair.Client.Fd).Should().Be(Errno.None);
        pair.Client.Dispose();

        epoll.Wait(5000).Value.Should().Be(1);

        epoll.GetEvent(0).Events.Should().HaveFlag(EpollEvents.EPOLLHUP).And.HaveFlag(EpollEvents.EPOLLERR);
        Sockets.GetPendingError(pair.Server.Fd, out Errno pending).Should().Be(Errno.None);
        pending.Should().Be(Errno.ECONNRESET);
    }

    [Fact]
    public void EventFd_SignalWakesEpollAndDrainResets()
    {
        using Epoll epoll = Epoll.Create(4);
        using SafeFileDescriptor eventFd = new(EventFd.Create(nonBlocking: true).Value);
        epoll.Add(eventFd.Fd, EpollEvents.EPOLLIN, 99).Should().Be(Errno.None);

        EventFd.Signal(eventFd.Fd).Should().Be(Errno.None);
        EventFd.Signal(eventFd.Fd).Should().Be(Errno.None);

        epoll.Wait(5000).Value.Should().Be(1);
        epoll.GetEvent(0).Data.Should().Be(99);
        EventFd.Drain(eventFd.Fd).Should().Be(SysResult.Ok(2));
        EventFd.Drain(eventFd.Fd).Should().Be(SysResult.Ok(0));
        epoll.Wait(0).Value.Should().Be(0);
    }

    [Fact]
    public void Remove_StopsReporting()
    {
        using Epoll epoll = Epoll.Create(4);
        using TcpPair pair = TcpPair.Create();
        epoll.Add(pair.Server.Fd, EpollEvents.EPOLLIN, 1).Should().Be(Errno.None);
        Sockets.Send(pair.Client.Fd, "x"u8);

        epoll.Remove(pair.Server.Fd).Should().Be(Errno.None);

        epoll.Wait(20).Value.Should().Be(0);
        epoll.Remove(pair.Server.Fd).Should().Be(Errno.ENOENT);
    }
}
