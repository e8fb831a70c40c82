using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Capture.Proxy.Contracts;
using Capture.Proxy.Identity;
using Capture.Proxy.Tunneling.Tls;

namespace Capture.Proxy.Tunneling.Outbound;

/// <summary>
/// Opens one tunnel connection: TCP to the peer's 15008 (the proxy's own UID/GID keeps it from being captured), TLS
/// 1.3 with our chain and the peer checked against the expected identities, then HTTP/2 through the factory given.
/// </summary>
internal sealed class TunnelDialer(
    Func<Stream, CancellationToken, Task<ITunnelConnection>> startHttp2, IHboneEvents events, TimeSpan connectTimeout)
{
    public async Task<ITunnelConnection> DialAsync(IPEndPoint peer, WorkloadCredentials credentials, IReadOnlyList<string> expectedIdentities,
        CancellationToken cancellationToken)
    {
        Socket socket = new(peer.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                deadline.CancelAfter(connectTimeout);
                try
                {
                    await socket.ConnectAsync(peer, deadline.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    string reason = ex is SocketException socketError ? socketError.Message : $"no answer within {connectTimeout}";
                    throw new TunnelDialException(TunnelFailure.Connect, TlsFailure.None, $"TCP to {peer}: {reason}", ex);
                }
            }

            PeerVerification verification = new(credentials.TrustDomain, expectedIdentities);
            SslStream tls = new(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            try
            {
                using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(connectTimeout);
                await tls.AuthenticateAsClientAsync(HboneTls.Client(credentials, verification), deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
                TlsFailure cause = verification.Failure;
                events.HandshakeCompleted(TrafficDirection.Outbound, cause);
                string detail = cause == TlsFailure.Handshake ? (ex.InnerException?.Message ?? ex.Message) : verification.Detail;
                TunnelFailure failure = TlsFailureNames.IsIdentity(cause) ? TunnelFailure.Identity : TunnelFailure.Tls;
                throw new TunnelDialException(failure, cause, $"TLS with {peer}: {TlsFailureNames.Label(cause)}: {detail}", ex);
            }

            events.HandshakeCompleted(TrafficDirection.Outbound, TlsFailure.None);
            try
            {
                return await startHttp2(tls, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The peer spoke TLS but not our HTTP/2 (a bad preface or SETTINGS, a GOAWAY at once, the connection lost).
                await tls.DisposeAsync().ConfigureAwait(false);
                throw new TunnelDialException(TunnelFailure.Protocol, TlsFailure.None, $"HTTP/2 with {peer}: {ex.Message}", ex);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
