using System.Net;
using System.Net.Sockets;
using Capture.Proxy.Tunneling.Inbound;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Capture.Proxy.Tests.Tunneling;

public sealed class SocketListenerFactoryTests : IDisposable
{
    private readonly BlockMemoryPool _pool = new();

    public void Dispose() => _pool.Dispose();

    [Fact]
    public async Task AcceptAsync_ClientConnects_GivesAConnectionWithTheSocketItsEndPointsAndThePool()
    {
        SocketListenerFactory factory = new(_pool);
        await using IConnectionListener listener = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        using Socket client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.EndPoint);

        await using ConnectionContext? accepted = await listener.AcceptAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        SocketConnection connection = accepted.Should().BeOfType<SocketConnection>().Subject;
        connection.RemoteEndPoint.Should().Be(client.LocalEndPoint);
        connection.LocalEndPoint.Should().Be(listener.EndPoint);
        connection.Socket.NoDelay.Should().BeTrue();
        connection.Features.Get<IMemoryPoolFeature>()!.MemoryPool.Should().BeSameAs(_pool);
        connection.Features.Get<IConnectionItemsFeature>()!.Items.Should().BeSameAs(connection.Items);
        connection.Features.Get<IConnectionSocketFeature>()!.Socket.Should().BeSameAs(connection.Socket);

        // The raw bytes are the socket's: what the client sends is read from the connection's stream.
        await client.SendAsync("hello"u8.ToArray());
        byte[] buffer = new byte[5];
        await connection.Stream.ReadExactlyAsync(buffer);
        buffer.Should().Equal("hello"u8.ToArray());
    }

    [Fact]
    public async Task BindAsync_PortInUse_ThrowsAddressInUse()
    {
        SocketListenerFactory factory = new(_pool);
        await using IConnectionListener first = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));

        Func<Task> second = async () => await factory.BindAsync(first.EndPoint);

        await second.Should().ThrowAsync<AddressInUseException>();
    }

    [Fact]
    public async Task AcceptAsync_AfterUnbind_ReturnsNull()
    {
        SocketListenerFactory factory = new(_pool);
        await using IConnectionListener listener = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        ValueTask<ConnectionContext?> pending = listener.AcceptAsync();

        await listener.UnbindAsync();

        (await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Should().BeNull();
    }

    [Fact]
    public async Task Abort_WhileAReadIsPending_EndsTheReadAndFiresConnectionClosed()
    {
        SocketListenerFactory factory = new(_pool);
        await using IConnectionListener listener = await factory.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
        using Socket client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.EndPoint);
        await using ConnectionContext? accepted = await listener.AcceptAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        SocketConnection connection = (SocketConnection)accepted!;
        Task<int> read = connection.Stream.ReadAsync(new byte[16]).AsTask();

        connection.Abort(new ConnectionAbortedException("test"));

        (await read.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(0, "a shut-down socket reads as its end");
        connection.ConnectionClosed.IsCancellationRequested.Should().BeTrue();
    }
}
