using System.Net;
using System.Net.Sockets;

namespace Capture.NativeShims.Tests;

public class SocketsTests
{
    [Theory]
    [InlineData(AddressFamily.InterNetwork)]
    [InlineData(AddressFamily.InterNetworkV6)]
    public void AcceptAndAddresses_ReportBothEnds(AddressFamily family)
    {
        using TcpPair pair = TcpPair.Create(family);

        Sockets.GetLocalAddress(pair.Server.Fd, out NativeSocketAddress local).Should().Be(Errno.None);
        Sockets.GetPeerAddress(pair.Client.Fd, out NativeSocketAddress remote).Should().Be(Errno.None);
        Sockets.GetLocalAddress(pair.Client.Fd, out NativeSocketAddress clientLocal).Should().Be(Errno.None);

        local.Should().Be(pair.ServerAddress);
        remote.Should().Be(pair.ServerAddress);
        clientLocal.Should().Be(pair.ClientAddressSeenByServer);
        local.Family.Should().Be(family);
        local.IsLoopback.Should().BeTrue();
    }

    [Fact]
    public void Connect_NonBlockingToClosedPort_CompletesWithConnectionRefused()
    {
        int port;
        using (SafeFileDescriptor probe = new(Sockets.CreateTcp(AddressFamily.InterNetwork, nonBlocking: false).Value))
        {
            Sockets.Bind(probe.Fd, NativeSocketAddress.From(IPAddress.Loopback, 0));
            Sockets.GetLocalAddress(probe.Fd, out NativeSocketAddress bound);
            port = bound.Port; // bound but not listening: connections to it are refused
        }

        using SafeFileDescriptor client = new(Sockets.CreateTcp(AddressFamily.InterNetwork, nonBlocking: true).Value);
        using Epoll epoll = Epoll.Create(2);
        Errno started = Sockets.Connect(client.Fd, NativeSocketAddress.From(IPAddress.Loopback, port));
        epoll.Add(client.Fd, EpollEvents.EPOLLOUT, 1);
        epoll.Wait(5000).Value.Should().Be(1);

        started.Should().BeOneOf(Errno.EINPROGRESS, Errno.ECONNREFUSED);
        Sockets.GetPendingError(client.Fd, out Errno pending).Should().Be(Errno.None);
        if (started == Errno.EINPROGRESS)
        {
            pending.Should().Be(Errno.ECONNREFUSED);
        }
    }

    [Fact]
    public void Receive_AfterPeerShutdown_ReturnsZero()
    {
        using TcpPair pair = TcpPair.Create();
        Sockets.Shutdown(pair.Client.Fd, SocketShutdown.Send);
        SplicingTests.WaitReadable(pair.Server.Fd);

        SysResult result = Sockets.Receive(pair.Server.Fd, new byte[16]);

        result.Should().Be(SysResult.Ok(0));
    }

    [Fact]
    public void Send_ToResetPeer_ReportsErrorWithoutSignal()
    {
        using TcpPair pair = TcpPair.Create();
        Sockets.SetLingerZero(pair.Server.Fd);
        pair.Server.Dispose();
        Thread.Sleep(20);

        SysResult result = Sockets.Send(pair.Client.Fd, new byte[16]);

        result.Error.Should().BeOneOf(Errno.EPIPE, Errno.ECONNRESET);
    }

    [Fact]
    public void Options_SetAndReadBack()
    {
        using SafeFileDescriptor fd = new(Sockets.CreateTcp(AddressFamily.InterNetworkV6, nonBlocking: true).Value);

        Sockets.SetReuseAddress(fd.Fd, true).Should().Be(Errno.None);
        Sockets.SetReusePort(fd.Fd, true).Should().Be(Errno.None);
        Sockets.SetNoDelay(fd.Fd, true).Should().Be(Errno.None);
        Sockets.SetV6Only(fd.Fd, true).Should().Be(Errno.None);
        Sockets.SetLingerZero(fd.Fd).Should().Be(Errno.None);

        Sockets.GetInt(fd.Fd, 1, 15, out int reusePort).Should().Be(Errno.None);
        reusePort.Should().Be(1);
        Sockets.GetInt(fd.Fd, 41, 26, out int v6Only).Should().Be(Errno.None);
        v6Only.Should().Be(1);
    }

    [Fact]
    public void SetTransparent_WithoutCapability_IsEperm()
    {
        using SafeFileDescriptor fd = new(Sockets.CreateTcp(AddressFamily.InterNetwork, nonBlocking: true).Value);

        Errno result = Sockets.SetTransparent(fd.Fd, AddressFamily.InterNetwork, true);

        // As root (CI) the call succeeds; unprivileged it must be EPERM, which the proxy turns into a clear message.
        result.Should().Be(Environment.UserName == "root" ? Errno.None : Errno.EPERM);
    }

    [Fact]
    public void Close_OpenThenNotADescriptor_ReportsEbadf()
    {
        int fd = Sockets.CreateTcp(AddressFamily.InterNetwork, nonBlocking: true).Value;

        Sockets.Close(fd).Should().Be(Errno.None);

        // Not `fd` again: tests run in parallel, and another one may already have been given that number.
        Sockets.Close(-1).Should().Be(Errno.EBADF);
    }
}
