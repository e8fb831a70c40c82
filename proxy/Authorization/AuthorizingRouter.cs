using Capture.Proxy.Contracts;

namespace Capture.Proxy.Authorization;

/// <summary>
/// In front of the engine's router: each plaintext inbound connection (15006) is judged by the policies in force
/// when it arrives; a denied one is handed to <see cref="DeniedConnection"/> (reset, never connected upstream), the
/// rest go on to <paramref name="inner"/>. With no policies in the file this is a reference comparison and a field
/// read per connection, without allocation (the event loop's rule for routers).
/// A connection to this proxy's own HBONE port (<paramref name="tunnelPort"/>, 0 when inbound HBONE is off) is not
/// judged here: in TPROXY mode Istio's rules send the tunnel's TCP connection through 15006 (they return 15008 only in
/// nat), it carries no identity of its own, and the HBONE server judges every stream in it by the caller's certificate.
/// </summary>
internal sealed class AuthorizingRouter(IUpstreamRouter inner, Authorizer authorizer, int tunnelPort) : IUpstreamRouter
{
    public UpstreamRoute Route(in ConnectionInfo connection)
    {
        if (connection.Direction == TrafficDirection.Inbound && (tunnelPort == 0 || connection.Destination.Port != tunnelPort))
        {
            AuthorizationDecision decision = authorizer.Check(connection);
            if (!decision.Allowed)
            {
                return UpstreamRoute.HandOff(new DeniedConnection(decision.PolicyKey));
            }

            if (decision.Policy is not null)
            {
                return inner.Route(connection).WithPolicy(decision.PolicyKey);
            }
        }

        return inner.Route(connection);
    }
}
