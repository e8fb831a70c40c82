using Capture.Proxy.Contracts;

namespace Capture.Proxy.Authorization;

/// <summary>
/// In front of the engine's router: each plaintext inbound connection (15006) is judged by the policies in force
/// when it arrives; a denied one is handed to <see cref="DeniedConnection"/> (reset, never connected upstream), the
/// rest go on to <paramref name="inner"/>. With no policies in the file this is a reference comparison and a field
/// read per connection, without allocation (the event loop's rule for routers).
/// </summary>
internal sealed class AuthorizingRouter(IUpstreamRouter inner, Authorizer authorizer) : IUpstreamRouter
{
    public UpstreamRoute Route(in ConnectionInfo connection)
    {
        if (connection.Direction == TrafficDirection.Inbound)
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
