using System.Net;

namespace Capture.Proxy.Authorization;

/// <summary>An inbound connection as authorization policies see it (ztunnel's <c>rbac::Connection</c>).</summary>
/// <param name="Identity">The source's verified identity; null for plaintext.</param>
/// <param name="Source">The client's address (for HBONE, the address the tunnel came from).</param>
/// <param name="Destination">The address the client asked for (this pod's).</param>
/// <param name="DestinationPort">The port the client asked for.</param>
internal readonly record struct AuthorizationRequest(SourceIdentity? Identity, IPAddress Source, IPAddress Destination, int DestinationPort);
