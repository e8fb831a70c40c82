using System.Net;
using System.Net.Sockets;
using Capture.NativeShims;
using Capture.Proxy.Listening;

namespace Capture.Proxy.Tests.Listening;

public class LoopGuardTests
{
    [Theory]
    [InlineData("127.0.0.1", 15001, true)]
    [InlineData("127.0.0.6", 15006, true)]
    [InlineData("::1", 15001, true)]
    [InlineData("0.0.0.0", 15006, true)]
    [InlineData("127.0.0.1", 8080, false)]
    [InlineData("203.0.113.7", 15001, false)]  // someone else's 15001 is not a loop
    public void IsLoop_ListenerPortOnLocalAddress(string address, int port, bool expected)
    {
        using LoopGuard guard = new([15001, 15006], refreshLocalAddresses: false);
        using Socket unrelated = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        bool loop = guard.IsLoop(NativeSocketAddress.From(IPAddress.Parse(address), port), (int)unrelated.Handle);

        loop.Should().Be(expected);
    }

    [Fact]
    public void IsLoop_AddressOfALocalInterface_IsLoop()
    {
        IPAddress? local = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        using LoopGuard guard = new([15001], refreshLocalAddresses: false);
        using Socket unrelated = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        bool loop = guard.IsLoop(NativeSocketAddress.From(local ?? IPAddress.Loopback, 15001), (int)unrelated.Handle);

        loop.Should().BeTrue();
    }
}
