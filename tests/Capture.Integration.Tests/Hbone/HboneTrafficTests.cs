using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Capture.Integration.Tests.Infrastructure;
using Capture.Integration.Tests.Proxy;

namespace Capture.Integration.Tests.Hbone;

/// <summary>
/// Pod A's app reaches pod B's app through an HBONE tunnel between the two published proxies (A's 15001 → B's 15008),
/// each pod with capture-init's default rules: by pod IP and by service VIP, bulk both ways, half-close in both
/// orders, resets both ways, many concurrent connections over pooled tunnels.
/// </summary>
public sealed class HboneTrafficTests
{
    private const int BulkBytes = 64 * 1024 * 1024;

    [RequiresRootFact(Tools = ["setpriv", "openssl"])]
    public async Task PodIpAndServiceVip_ReachBsAppThroughTheTunnel_AndBLogsAsIdentity()
    {
        using HbonePods pods = await HbonePods.StartAsync();

        string byIp = await pods.EchoFromAAsync(pods.AppBEndPoint, "hello by pod ip");
        string byVip = await pods.EchoFromAAsync(HbonePods.VipEndPoint, "hello by service vip");

        byIp.Should().Be("hello by pod ip");
        byVip.Should().Be("hello by service vip");
        string identityA = MeshCertificates.Identity("a");
        string identityB = MeshCertificates.Identity("b");
        // A's access log: both connections left through the tunnel to B's 15008, B's identity verified.
        string logA = await HbonePods.WaitForOutputAsync(pods.ProxyA, $"via=hbone peer={identityB} tunnel={pods.AddressB}:15008", 2);
        logA.Should().Contain($"-> {pods.AppBEndPoint} ").And.Contain($"-> {HbonePods.VipEndPoint} ");
        // B's access log: two inbound streams from A's identity, from A's address, to B's app.
        string logB = await HbonePods.WaitForOutputAsync(pods.ProxyB!, $"via=hbone peer={identityA} tunnel={pods.AddressA}:", 2);
        logB.Should().Contain(pods.AppBEndPoint.ToString());
        pods.AppB.Clients.Should().HaveCount(2).And.OnlyContain(c => c.Address.Equals(IPAddress.Parse("127.0.0.6")),
            "in REDIRECT mode B's proxy connects to its app from 127.0.0.6");
        string metricsA = await pods.ProxyA.ScrapeAsync();
        ProxyProcess.Metric(metricsA, "capture_hbone_streams_opened_total", "direction=\"outbound\"").Should().Be(2);
        string metricsB = await pods.ProxyB!.ScrapeAsync();
        ProxyProcess.Metric(metricsB, "capture_hbone_streams_opened_total", "direction=\"inbound\"").Should().Be(2);
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl"])]
    public async Task Bulk_64MiBEachWayAtOnce_Sha256EqualOnBothEnds()
    {
        TaskCompletionSource<byte[]> serverReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource<byte[]> serverSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using HbonePods pods = await HbonePods.StartAsync(async (socket, ct) =>
        {
            Task<byte[]> receive = ReceiveHashAsync(socket, ct);
            serverSent.TrySetResult(await SendRandomAsync(socket, ct));
            socket.Shutdown(SocketShutdown.Send);
            serverReceived.TrySetResult(await receive);
        });
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(90));
        using Socket client = await NamespaceSockets.ConnectAsync(pods.A, HbonePods.VipEndPoint, timeout.Token);

        Task<byte[]> clientReceive = ReceiveHashAsync(client, timeout.Token);
        byte[] clientSent = await SendRandomAsync(client, timeout.Token);
        client.Shutdown(SocketShutdown.Send);
        byte[] clientReceived = await clientReceive;

        (await serverReceived.Task.WaitAsync(timeout.Token)).Should().Equal(clientSent, "B's app received exactly A's 64 MiB");
        clientReceived.Should().Equal(await serverSent.Task, "A's app received exactly B's 64 MiB");
        string metrics = await pods.ProxyA.ScrapeAsync();
        ProxyProcess.Metric(metrics, "capture_hbone_bytes_total", "direction=\"outbound\"", "way=\"upstream\"").Should().Be(BulkBytes);
        ProxyProcess.Metric(metrics, "capture_hbone_bytes_total", "direction=\"outbound\"", "way=\"downstream\"").Should().Be(BulkBytes);
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl"])]
    public async Task HalfClose_ClientEndsFirst_StillGetsTheWholeReply()
    {
        const int ReplyBytes = 3 * 1024 * 1024;
        using HbonePods pods = await HbonePods.StartAsync(async (socket, ct) =>
        {
            // The reply starts only after the request's FIN came through the tunnel (END_STREAM → FIN).
            await NamespaceSockets.ReadToEndAsync(socket, ct);
            await socket.SendAsync(new byte[ReplyBytes], SocketFlags.None, ct);
            socket.Shutdown(SocketShutdown.Send);
        });
        using CancellationTokenSource timeout = new(Clients.Bound);
        using Socket client = await NamespaceSockets.ConnectAsync(pods.A, pods.AppBEndPoint, timeout.Token);

        await client.SendAsync(Encoding.ASCII.GetBytes("GET everything"), SocketFlags.None, timeout.Token);
        client.Shutdown(SocketShutdown.Send);
        (string end, int bytes) = await Clients.ReadUntilClosedAsync(client, Clients.Bound);

        end.Should().Be("eof", pods.Logs());
        bytes.Should().Be(ReplyBytes);
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl"])]
    public async Task HalfClose_ServerEndsFirst_StillReceivesTheWholeRequest()
    {
        const int RequestBytes = 3 * 1024 * 1024;
        TaskCompletionSource<int> serverGot = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using HbonePods pods = await HbonePods.StartAsync(async (socket, ct) =>
        {
            // B's app greets and closes its write side at once, then keeps reading until A ends.
            await socket.SendAsync(Encoding.ASCII.GetBytes("bye"), SocketFlags.None, ct);
            socket.Shutdown(SocketShutdown.Send);
            serverGot.TrySetResult((await NamespaceSockets.ReadToEndAsync(socket, ct)).Length);
        });
        using CancellationTokenSource timeout = new(Clients.Bound);
        using Socket client = await NamespaceSockets.ConnectAsync(pods.A, pods.AppBEndPoint, timeout.Token);

        byte[] greeting = await NamespaceSockets.ReadToEndAsync(client, timeout.Token); // FIN from B arrives as EOF
        await client.SendAsync(new byte[RequestBytes], SocketFlags.None, timeout.Token);
        client.Shutdown(SocketShutdown.Send);

        Encoding.ASCII.GetString(greeting).Should().Be("bye");
        (await serverGot.Task.WaitAsync(timeout.Token)).Should().Be(RequestBytes, "the other way stays open after B's FIN");
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl"])]
    public async Task Reset_ByBsApp_ReachesAsAppAsAReset()
    {
        using HbonePods pods = await HbonePods.StartAsync(async (socket, ct) =>
        {
            byte[] buffer = new byte[16];
            await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            socket.LingerState = new LingerOption(true, 0); // close(2) with SO_LINGER 0 sends RST
            socket.Close();
        });
        using CancellationTokenSource timeout = new(Clients.Bound);
        using Socket client = await NamespaceSockets.ConnectAsync(pods.A, pods.AppBEndPoint, timeout.Token);

        await client.SendAsync(Encoding.ASCII.GetBytes("hello"), SocketFlags.None, timeout.Token);
        (string end, _) = await Clients.ReadUntilClosedAsync(client, TimeSpan.FromSeconds(10));

        end.Should().Be("reset", "B's RST travels as RST_STREAM and comes out as RST; " + pods.Logs());
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl"])]
    public async Task Reset_ByAsApp_ReachesBsAppAsAReset()
    {
        TaskCompletionSource<string> serverEnd = new(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource serverReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using HbonePods pods = await HbonePods.StartAsync(async (socket, ct) =>
        {
            byte[] buffer = new byte[16];
            await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
            serverReady.TrySetResult();
            (string end, _) = await Clients.ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(10));
            serverEnd.TrySetResult(end);
        });
        using CancellationTokenSource timeout = new(Clients.Bound);
        Socket client = await NamespaceSockets.ConnectAsync(pods.A, pods.AppBEndPoint, timeout.Token);

        await client.SendAsync(Encoding.ASCII.GetBytes("hello"), SocketFlags.None, timeout.Token);
        await serverReady.Task.WaitAsync(timeout.Token);
        client.LingerState = new LingerOption(true, 0);
        client.Close();

        (await serverEnd.Task.WaitAsync(timeout.Token)).Should().Be("reset", "A's RST travels as RST_STREAM and comes out as RST; " + pods.Logs());
    }

    [RequiresRootFact(Tools = ["setpriv", "openssl"])]
    public async Task Concurrent_200Connections_AllEchoOverAFewPooledTunnels()
    {
        const int Connections = 200;
        using HbonePods pods = await HbonePods.StartAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromSeconds(60));
        Socket[] sockets = NamespaceSockets.CreateMany(pods.A, AddressFamily.InterNetwork, Connections);
        try
        {
            // All open at once first, then each exchanges its own message: 200 streams live together.
            await Task.WhenAll(sockets.Select((s, i) => s.ConnectAsync(i % 2 == 0 ? pods.AppBEndPoint : HbonePods.VipEndPoint, timeout.Token).AsTask()));
            string[] replies = await Task.WhenAll(sockets.Select(async (socket, i) =>
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes($"connection {i}"), SocketFlags.None, timeout.Token);
                socket.Shutdown(SocketShutdown.Send);
                return Encoding.ASCII.GetString(await NamespaceSockets.ReadToEndAsync(socket, timeout.Token));
            }));

            for (int i = 0; i < Connections; i++)
            {
                replies[i].Should().Be($"connection {i}");
            }
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }

        string metricsA = await pods.ProxyA.ScrapeAsync();
        ProxyProcess.Metric(metricsA, "capture_hbone_streams_opened_total", "direction=\"outbound\"").Should().Be(Connections);
        long handshakes = ProxyProcess.Metric(metricsA, "capture_hbone_tls_handshakes_total", "direction=\"outbound\"");
        handshakes.Should().BeInRange(2, 8, "100 streams share a pooled connection: 200 connections need two, not 200 handshakes");
        ProxyProcess.Metric(await pods.ProxyB!.ScrapeAsync(), "capture_hbone_streams_opened_total", "direction=\"inbound\"").Should().Be(Connections);
    }


    internal static Task<byte[]> SendRandomAsync(Socket socket, CancellationToken cancellationToken) =>
        SendRandomAsync(socket, BulkBytes, cancellationToken);

    /// <summary>Sends <paramref name="bytes"/> random bytes (a multiple of 256 KiB) and returns their SHA-256.</summary>
    internal static async Task<byte[]> SendRandomAsync(Socket socket, int bytes, CancellationToken cancellationToken)
    {
        using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] chunk = new byte[256 * 1024];
        for (int sent = 0; sent < bytes; sent += chunk.Length)
        {
            RandomNumberGenerator.Fill(chunk);
            hash.AppendData(chunk);
            await socket.SendAsync(chunk, SocketFlags.None, cancellationToken);
        }

        return hash.GetHashAndReset();
    }

    internal static async Task<byte[]> ReceiveHashAsync(Socket socket, CancellationToken cancellationToken)
    {
        using IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[256 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return hash.GetHashAndReset();
    }
}
