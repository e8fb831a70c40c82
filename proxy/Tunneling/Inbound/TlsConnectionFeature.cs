using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Capture.Proxy.Tunneling.Inbound;

/// <summary>
/// Tells Kestrel the connection is TLS with ALPN h2 (so an HTTP/2-only endpoint accepts it and a request's
/// <c>:scheme https</c> matches), and carries the client's certificate, as Kestrel's own TLS middleware would.
/// </summary>
internal sealed class TlsConnectionFeature(X509Certificate2? clientCertificate, ReadOnlyMemory<byte> applicationProtocol)
    : ITlsConnectionFeature, ITlsApplicationProtocolFeature
{
    public X509Certificate2? ClientCertificate { get; set; } = clientCertificate;

    public ReadOnlyMemory<byte> ApplicationProtocol { get; } = applicationProtocol;

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);
}
