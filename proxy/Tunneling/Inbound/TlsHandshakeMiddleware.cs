using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Capture.Proxy.Contracts;
using Capture.Proxy.Identity;
using Capture.Proxy.Tunneling.Tls;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>
/// The TLS of 15008, in front of Kestrel's HTTP/2: each connection is handshaken with the credentials current at
/// that moment (rotation affects new connections only), the client certificate is required and checked, and the
/// client's identity is put in the connection's items for every stream. Our own middleware rather than Kestrel's
/// <c>UseHttps</c>, which needs a DI container to run; this one also gives the refusal's cause to the metrics.
/// </summary>
internal sealed partial class TlsHandshakeMiddleware(
    ConnectionDelegate next, Func<WorkloadCredentials?> credentials, IHboneEvents events, ILogger logger, TimeSpan handshakeTimeout)
{
    public async Task OnConnectionAsync(ConnectionContext context)
    {
        IPEndPoint remote = context.RemoteEndPoint as IPEndPoint ?? new IPEndPoint(IPAddress.None, 0);
        if (remote.Address.IsIPv4MappedToIPv6)
        {
            // Kestrel's dual-mode socket reports an IPv4 caller as ::ffff:a.b.c.d; logs and the access log's tunnel=
            // say a.b.c.d, as the outbound side and the engine's lines do.
            remote = new IPEndPoint(remote.Address.MapToIPv4(), remote.Port);
        }

        WorkloadCredentials? current = credentials();
        if (current is null)
        {
            events.HandshakeCompleted(TrafficDirection.Inbound, TlsFailure.NoCredentials);
            Log.HandshakeFailed(logger, remote, TlsFailureNames.Label(TlsFailure.NoCredentials), "no usable certificate in --certs");
            return;
        }

        if (context is not SocketConnection connection)
        {
            throw new InvalidOperationException($"15008 runs on {nameof(SocketListenerFactory)}'s connections, not {context.GetType().Name}");
        }

        PeerVerification verification = new(current.TrustDomain, expected: null);
        IDuplexPipe transport = context.Transport;
        // TLS reads the socket itself: no transport pipe in between (SocketListenerFactory says why).
        SslStream tls = new(connection.Stream, leaveInnerStreamOpen: true);
        try
        {
            using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed);
            timeout.CancelAfter(handshakeTimeout);
            try
            {
                await tls.AuthenticateAsServerAsync(HboneTls.Server(current, verification), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
            {
                events.HandshakeCompleted(TrafficDirection.Inbound, verification.Failure);
                string detail = verification.Failure == TlsFailure.Handshake ? Reason(ex) : verification.Detail;
                Log.HandshakeFailed(logger, remote, TlsFailureNames.Label(verification.Failure), detail);
                return;
            }

            events.HandshakeCompleted(TrafficDirection.Inbound, TlsFailure.None);
            Log.HandshakeCompleted(logger, remote, verification.Identity!);
            context.Items[InboundPeer.ItemKey] = new InboundPeer(verification.Identity!, remote);
            TlsConnectionFeature feature = new(tls.RemoteCertificate as X509Certificate2, tls.NegotiatedApplicationProtocol.Protocol);
            context.Features.Set<ITlsConnectionFeature>(feature);
            context.Features.Set<ITlsApplicationProtocolFeature>(feature);
            context.Transport = new StreamDuplexPipe(tls, connection.MemoryPool);
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                context.Transport = transport;
            }
        }
        finally
        {
            await tls.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Reason(Exception ex) => ex is OperationCanceledException
        ? "handshake timed out or the client went away"
        : (ex.InnerException?.Message is { Length: > 0 } inner ? ex.Message + " " + inner : ex.Message);

    private static partial class Log
    {
        [LoggerMessage(EventId = 841, Level = LogLevel.Debug, EventName = "InboundHandshakeCompleted",
            Message = "HBONE connection from {Remote}: client identity {Identity}")]
        public static partial void HandshakeCompleted(ILogger logger, IPEndPoint remote, string identity);

        [LoggerMessage(EventId = 842, Level = LogLevel.Warning, EventName = "InboundHandshakeFailed",
            Message = "HBONE connection from {Remote} refused in the TLS handshake ({Cause}): {Detail}")]
        public static partial void HandshakeFailed(ILogger logger, IPEndPoint remote, string cause, string detail);
    }
}
