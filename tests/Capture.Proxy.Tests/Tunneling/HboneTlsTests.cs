using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Capture.Proxy.Identity;
using Capture.Proxy.Tests.Identity;
using Capture.Proxy.Tunneling.Tls;

namespace Capture.Proxy.Tests.Tunneling;

public sealed class HboneTlsTests
{
    private const string Productpage = "spiffe://cluster.local/ns/default/sa/bookinfo-productpage";
    private const string Reviews = "spiffe://cluster.local/ns/default/sa/bookinfo-reviews";

    private static readonly TestPki s_mesh = new();
    private static readonly WorkloadCredentials s_client = Load(s_mesh.Issue(Productpage));
    private static readonly WorkloadCredentials s_server = Load(s_mesh.Issue(Reviews));

    [Fact]
    public async Task Handshake_SameMesh_BothSidesKnowThePeersIdentity()
    {
        (PeerVerification client, PeerVerification server, Exception? clientError, Exception? serverError) =
            await HandshakeAsync(HboneTls.Client(s_client, new PeerVerification("cluster.local", [Reviews])), s_server);

        clientError.Should().BeNull();
        serverError.Should().BeNull();
        client.Identity.Should().Be(Reviews);
        server.Identity.Should().Be(Productpage);
        client.Failure.Should().Be(TlsFailure.None);
    }

    [Fact]
    public async Task Handshake_ServerIdentityNotExpected_ClientRefuses()
    {
        PeerVerification verification = new("cluster.local", ["spiffe://cluster.local/ns/default/sa/ratings"]);

        (PeerVerification client, _, Exception? clientError, _) = await HandshakeAsync(HboneTls.Client(s_client, verification), s_server);

        clientError.Should().BeOfType<AuthenticationException>();
        client.Failure.Should().Be(TlsFailure.UnexpectedIdentity);
        client.Detail.Should().Be($"presented {Reviews}; expected spiffe://cluster.local/ns/default/sa/ratings");
        client.Identity.Should().BeNull();
    }

    [Fact]
    public async Task Handshake_ClientFromAnotherCa_ServerRefusesUntrustedChain()
    {
        WorkloadCredentials stranger = Load(new TestPki("Other CA").Issue(Productpage));

        (_, PeerVerification server, _, Exception? serverError) =
            await HandshakeAsync(HboneTls.Client(stranger, new PeerVerification("cluster.local", null)), s_server, clientChecksServer: false);

        serverError.Should().NotBeNull();
        server.Failure.Should().Be(TlsFailure.UntrustedChain);
        server.Identity.Should().BeNull();
    }

    [Fact]
    public async Task Handshake_ClientOfAnotherTrustDomain_ServerRefuses()
    {
        WorkloadCredentials foreign = Load(s_mesh.Issue("spiffe://other.domain/ns/default/sa/bookinfo-productpage"));

        (_, PeerVerification server, _, Exception? serverError) =
            await HandshakeAsync(HboneTls.Client(foreign, new PeerVerification("other.domain", [Reviews])), s_server);

        serverError.Should().NotBeNull();
        server.Failure.Should().Be(TlsFailure.TrustDomain);
    }

    [Fact]
    public async Task Handshake_ClientWithoutCertificate_ServerRefuses()
    {
        SslClientAuthenticationOptions options = HboneTls.Client(s_client, new PeerVerification("cluster.local", [Reviews]));
        options.ClientCertificateContext = null;

        (_, PeerVerification server, _, Exception? serverError) = await HandshakeAsync(options, s_server);

        serverError.Should().NotBeNull();
        server.Failure.Should().Be(TlsFailure.NoCertificate);
    }

    [Fact]
    public async Task Handshake_ClientOffersOnlyTls12_Fails()
    {
        SslClientAuthenticationOptions options = HboneTls.Client(s_client, new PeerVerification("cluster.local", [Reviews]));
        options.EnabledSslProtocols = SslProtocols.Tls12;
        options.CipherSuitesPolicy = null;

        (_, PeerVerification server, Exception? clientError, Exception? serverError) = await HandshakeAsync(options, s_server);

        clientError.Should().NotBeNull();
        serverError.Should().NotBeNull();
        server.Failure.Should().Be(TlsFailure.Handshake);
        server.Identity.Should().BeNull();
    }

    private static WorkloadCredentials Load(TestPki.Issued issued)
    {
        string directory = issued.WriteToNewDirectory();
        try
        {
            return CredentialsLoader.Load(directory, DateTimeOffset.UtcNow);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<(PeerVerification Client, PeerVerification Server, Exception? ClientError, Exception? ServerError)> HandshakeAsync(
        SslClientAuthenticationOptions clientOptions, WorkloadCredentials serverCredentials, bool clientChecksServer = true)
    {
        using Socket listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using Socket clientSocket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await clientSocket.ConnectAsync(listener.LocalEndPoint!);
        using Socket serverSocket = await listener.AcceptAsync();

        PeerVerification client = (PeerVerification)clientOptions.RemoteCertificateValidationCallback!.Target!;
        if (!clientChecksServer)
        {
#pragma warning disable CA5359 // this case tests the server's refusal, so the client must not refuse the server first
            clientOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        PeerVerification server = new(serverCredentials.TrustDomain, null);
        await using SslStream clientTls = new(new NetworkStream(clientSocket));
        await using SslStream serverTls = new(new NetworkStream(serverSocket));
        Task clientTask = clientTls.AuthenticateAsClientAsync(clientOptions);
        Task serverTask = serverTls.AuthenticateAsServerAsync(HboneTls.Server(serverCredentials, server));
        Exception? clientError = await Capture(clientTask);
        if (clientError is not null)
        {
            clientSocket.Close(); // the server must not wait for a client that gave up
        }

        Exception? serverError = await Capture(serverTask);
        if (serverError is null && clientError is null)
        {
            clientTls.NegotiatedApplicationProtocol.Should().Be(SslApplicationProtocol.Http2);
            clientTls.SslProtocol.Should().Be(SslProtocols.Tls13);
            // TLS 1.3 finishes the client's side before the server has checked the client certificate: a refused
            // client learns it at its first read.
            await serverTls.WriteAsync(new byte[] { 1 });
            (await clientTls.ReadAsync(new byte[1])).Should().Be(1);
        }
        else if (serverError is not null && clientError is null)
        {
            serverSocket.Close();
            clientError = await Capture(clientTls.ReadAsync(new byte[1]).AsTask());
        }

        return (client, server, clientError, serverError);
    }

    private static async Task<Exception?> Capture(Task task)
    {
        try
        {
            await task.WaitAsync(TimeSpan.FromSeconds(10));
            return null;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            return ex;
        }
    }
}
