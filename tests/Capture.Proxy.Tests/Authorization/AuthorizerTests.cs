using System.Diagnostics;
using System.Net;
using Capture.NativeShims;
using Capture.Proxy.Authorization;
using Capture.Proxy.Contracts;
using Capture.Proxy.Metrics;
using Capture.Proxy.Workloads;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Proxy.Tests.Authorization;

public sealed class AuthorizerTests
{
    private const string DenyPlaintext = """
        - name: deny-plaintext
          namespace: default
          scope: Namespace
          action: Deny
          rules: [[[notPrincipals: [{Presence: {}}]]]]

        """;

    [Fact]
    public void Check_FileWithoutPolicies_AllowsWithoutAllocating()
    {
        WorkloadIndex index = new(PolicyYaml.Config("[]"));
        Authorizer authorizer = new(() => index, new AuthorizationMetrics(), NullLogger.Instance);
        ConnectionInfo connection = Plaintext("10.44.0.20");
        _ = authorizer.Check(connection); // first call: JIT

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool allAllowed = true;
        for (int i = 0; i < 1000; i++)
        {
            allAllowed &= authorizer.Check(connection).Allowed;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allAllowed.Should().BeTrue();
        allocated.Should().Be(0);
    }

    [Fact]
    public void Check_PlaintextToWorkloadWithDenyPlaintext_DeniedAndCountedByPolicy()
    {
        WorkloadIndex index = new(PolicyYaml.Config(DenyPlaintext));
        AuthorizationMetrics metrics = new();
        Authorizer authorizer = new(() => index, metrics, NullLogger.Instance);

        AuthorizationDecision toReviews = authorizer.Check(Plaintext("10.44.0.20"));
        AuthorizationDecision toRatings = authorizer.Check(Plaintext("10.44.0.30"));
        AuthorizationDecision overHbone = authorizer.Check("spiffe://cluster.local/ns/default/sa/a",
            new IPEndPoint(IPAddress.Parse("10.1.0.5"), 40000), new IPEndPoint(IPAddress.Parse("10.44.0.20"), 9080));

        toReviews.Allowed.Should().BeFalse();
        toReviews.PolicyKey.Should().Be("default/deny-plaintext");
        toRatings.Allowed.Should().BeTrue("the policy is scoped to namespace default");
        overHbone.Allowed.Should().BeTrue("an HBONE stream carries an identity");
        metrics.DeniedCount("default/deny-plaintext").Should().Be(1);
        Render(metrics).Should().Contain(
            "capture_authorization_denied_total{policy=\"default/deny-plaintext\",reason=\"deny_policy\",transport=\"plaintext\"} 1")
            .And.Contain("capture_authorization_checks_total{transport=\"hbone\"} 1")
            .And.Contain("capture_authorization_checks_total{transport=\"plaintext\"} 2");
    }

    [Fact]
    public void Check_FileVersionChanges_NewConnectionsFollowTheNewPolicies()
    {
        WorkloadIndex index = new(PolicyYaml.Config(DenyPlaintext));
        Authorizer authorizer = new(() => index, new AuthorizationMetrics(), NullLogger.Instance);
        authorizer.Check(Plaintext("10.44.0.20")).Allowed.Should().BeFalse();

        index = new WorkloadIndex(PolicyYaml.Config("[]"));

        authorizer.Check(Plaintext("10.44.0.20")).Allowed.Should().BeTrue();
        authorizer.Table.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Check_DryRunDeny_CountedNotEnforced()
    {
        WorkloadIndex index = new(PolicyYaml.Config(DenyPlaintext.Replace("action: Deny", "action: Deny\n  dryRun: true", StringComparison.Ordinal)));
        AuthorizationMetrics metrics = new();
        Authorizer authorizer = new(() => index, metrics, NullLogger.Instance);

        authorizer.Check(Plaintext("10.44.0.20")).Allowed.Should().BeTrue();

        Render(metrics).Should().Contain("capture_authorization_dry_run_denied_total{policy=\"default/deny-plaintext\"} 1");
        metrics.DeniedCount("default/deny-plaintext").Should().Be(0);
    }

    private static ConnectionInfo Plaintext(string destination) =>
        new(1, TrafficDirection.Inbound, NativeSocketAddress.From(IPAddress.Parse("10.1.0.5"), 40000),
            NativeSocketAddress.From(IPAddress.Parse(destination), 9080), Stopwatch.GetTimestamp());

    private static string Render(AuthorizationMetrics metrics)
    {
        System.Text.StringBuilder text = new();
        metrics.WriteTo(new PrometheusTextWriter(text));
        return text.ToString();
    }
}
