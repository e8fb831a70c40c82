using System.Diagnostics;
using System.Net;
using Capture.NativeShims;
using Capture.Proxy.Authorization;
using Capture.Proxy.Contracts;
using Capture.Proxy.Metrics;
using Capture.Proxy.Workloads;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Authorization;

public sealed class AuthorizingRouterTests
{
    private WorkloadIndex _index = new(PolicyYaml.Config("""
        - name: deny-plaintext
          namespace: default
          scope: Namespace
          action: Deny
          rules: [[[notPrincipals: [{Presence: {}}]]]]

        """));

    [Fact]
    public void Route_DeniedInbound_HandedToDeniedConnection()
    {
        AuthorizingRouter router = Router();

        UpstreamRoute route = router.Route(Connection(TrafficDirection.Inbound, "10.44.0.20"));

        route.IsHandOff.Should().BeTrue();
        route.Handler.Should().BeOfType<DeniedConnection>();
    }

    [Fact]
    public void Route_AllowedInboundOrAnyOutbound_GoesToTheInnerRouter()
    {
        AuthorizingRouter router = Router();

        router.Route(Connection(TrafficDirection.Inbound, "10.44.0.30")).IsHandOff.Should().BeFalse("ratings is in another namespace");
        router.Route(Connection(TrafficDirection.Outbound, "10.44.0.20")).IsHandOff.Should().BeFalse("outbound is not judged");
    }

    [Fact]
    public void Route_AllowedByAPolicy_RouteNamesItForTheAccessLog()
    {
        _index = new WorkloadIndex(PolicyYaml.Config("""
            - name: allow-pod-net
              namespace: default
              scope: Namespace
              action: Allow
              rules: [[[sourceIps: ["10.1.0.0/16"]]]]

            """));
        AuthorizingRouter router = Router();

        UpstreamRoute allowed = router.Route(Connection(TrafficDirection.Inbound, "10.44.0.20"));
        UpstreamRoute unjudged = router.Route(Connection(TrafficDirection.Inbound, "10.44.0.30"));

        allowed.IsHandOff.Should().BeFalse();
        allowed.Policy.Should().Be("default/allow-pod-net");
        unjudged.Policy.Should().BeNull("no policy applies to ratings, in another namespace");
    }

    [Fact]
    public void Route_PolicyRemovedFromTheFile_NextConnectionAllowed()
    {
        AuthorizingRouter router = Router();
        router.Route(Connection(TrafficDirection.Inbound, "10.44.0.20")).IsHandOff.Should().BeTrue();

        _index = new WorkloadIndex(PolicyYaml.Config("[]"));

        router.Route(Connection(TrafficDirection.Inbound, "10.44.0.20")).IsHandOff.Should().BeFalse();
    }

    [Fact]
    public void Route_InboundToTheHboneServersPort_NotJudgedHereButOtherPortsAre()
    {
        AuthorizingRouter router = Router(tunnelPort: 15008);

        router.Route(Connection(TrafficDirection.Inbound, "10.44.0.20", 15008)).IsHandOff.Should().BeFalse(
            "in TPROXY mode the tunnel's own connection comes through 15006; 15008 judges each stream by its caller");
        router.Route(Connection(TrafficDirection.Inbound, "10.44.0.20")).IsHandOff.Should().BeTrue();
    }

    [Fact]
    public void Route_InboundTo15008WithoutAnHboneServer_JudgedLikeAnyOtherPort()
    {
        AuthorizingRouter router = Router(tunnelPort: 0);

        router.Route(Connection(TrafficDirection.Inbound, "10.44.0.20", 15008)).IsHandOff.Should().BeTrue(
            "with inbound HBONE off, 15008 may be an app's port like any other");
    }

    private AuthorizingRouter Router(int tunnelPort = 15008) =>
        new(PassthroughRouter.Instance, new Authorizer(() => _index, new AuthorizationMetrics(), NullLogger.Instance), tunnelPort);

    private static ConnectionInfo Connection(TrafficDirection direction, string destination, int port = 9080) =>
        new(1, direction, NativeSocketAddress.From(IPAddress.Parse("10.1.0.5"), 40000),
            NativeSocketAddress.From(IPAddress.Parse(destination), port), Stopwatch.GetTimestamp());
}
