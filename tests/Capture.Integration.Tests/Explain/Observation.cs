using System.Net;

namespace Capture.Integration.Tests.Explain;

/// <summary>What a listener saw: which namespace and port accepted the token, and the destination the socket reports.</summary>
/// <param name="Namespace">"pod" or "peer".</param>
/// <param name="ListenerPort">The port the accepting socket listens on.</param>
/// <param name="Udp">Received as a datagram.</param>
/// <param name="LocalEndPoint">The accepted socket's local address (under TPROXY: the original destination).</param>
/// <param name="OriginalDestination">SO_ORIGINAL_DST of the accepted socket (nat's original destination); null for udp.</param>
public sealed record Observation(string Namespace, int ListenerPort, bool Udp, IPEndPoint? LocalEndPoint, IPEndPoint? OriginalDestination);
