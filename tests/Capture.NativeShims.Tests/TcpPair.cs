using System.Net;
using System.Net.Sockets;

namespace Capture.NativeShims.Tests;

/// <summary>A connected loopback TCP pair on raw descriptors: Client is blocking, Server (accepted) non-blocking.</summary>
internal sealed class TcpPair : IDisposable
{
    private TcpPair(SafeFileDescriptor client, SafeFileDescriptor server, NativeSocketAddress serverAddress, NativeSocketAddress clientAddressSeenByServer)
    {
        Client = client;
        Server = server;
        ServerAddress = serverAddress;
        ClientAddressSeenByServer = clientAddressSeenByServer;
    }

    public SafeFileDescriptor Client { get; }

    public SafeFileDescriptor Server { get; }

    public NativeSocketAddress ServerAddress { get; }

    public NativeSocketAddress ClientAddressSeenByServer { get; }

    public static TcpPair Create(AddressFamily family = AddressFamily.InterNetwork)
    {
        IPAddress loopback = family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback;
        using SafeFileDescriptor listener = new(Sockets.CreateTcp(family, nonBlocking: false).Value);
        Sockets.Bind(listener.Fd, NativeSocketAddress.From(loopback, 0)).Should().Be(Errno.None);
        Sockets.Listen(listener.Fd, 4).Should().Be(Errno.None);
        Sockets.GetLocalAddress(listener.Fd, out NativeSocketAddress bound).Should().Be(Errno.None);

        SafeFileDescriptor client = new(Sockets.CreateTcp(family, nonBlocking: false).Value);
        Sockets.Connect(client.Fd, bound).Should().Be(Errno.None);
        SysResult accepted = Sockets.Accept(listener.Fd, out NativeSocketAddress peer);
        accepted.Error.Should().Be(Errno.None);
        return new TcpPair(client, new SafeFileDescriptor(accepted.Value), bound, peer);
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}
