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
