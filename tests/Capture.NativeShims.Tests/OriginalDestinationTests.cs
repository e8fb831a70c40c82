using System.Net;
using System.Net.Sockets;

namespace Capture.NativeShims.Tests;

public class OriginalDestinationTests
{
    [Theory]
    [InlineData(AddressFamily.InterNetwork)]
    [InlineData(AddressFamily.InterNetworkV6)]
    public void TryGet_ConnectionThatWasNotRedirected_ReportsAnError(AddressFamily family)
    {
        using TcpPair pair = TcpPair.Create(family);

        Errno result = OriginalDestination.TryGet(pair.Server, family, out NativeSocketAddress destination);

        // ENOENT: conntrack has no NAT entry; ENOPROTOOPT: the netfilter module that answers is not loaded.
        result.Should().BeOneOf(Errno.ENOENT, Errno.ENOPROTOOPT);
        destination.Family.Should().Be(AddressFamily.Unspecified);
    }

    [Fact]
    public void Get_ManagedSocketNotRedirected_ThrowsWithTheCallAndErrno()
    {
        using Socket listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using Socket client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using Socket accepted = listener.Accept();

        Action act = () => OriginalDestination.Get(accepted);

        act.Should().Throw<NativeCallException>().Where(e => e.Call == "getsockopt(SO_ORIGINAL_DST)" && e.Errno != Errno.None);
    }
}
