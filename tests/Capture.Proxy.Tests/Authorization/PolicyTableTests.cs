using System.Net;
using Capture.NativeShims;
using Capture.Proxy.Authorization;
using Capture.Proxy.Workloads;

namespace Capture.Proxy.Tests.Authorization;

/// <summary>
/// Scopes and the decision order (ztunnel's <c>assert_rbac</c>): a matching Deny denies; else, when Allow policies
/// apply to the destination, one must match; else allowed. Dry-run policies never change the answer.
/// </summary>
public sealed class PolicyTableTests
{
    private const string FromA = "spiffe://cluster.local/ns/default/sa/a";
    private const string FromC = "spiffe://cluster.local/ns/default/sa/c";

    private static readonly IPAddress Reviews = IPAddress.Parse("10.44.0.20");
    private static readonly IPAddress Ratings = IPAddress.Parse("10.44.0.30");

    [Fact]
    public void Evaluate_NoPolicies_AllowsWithoutPolicy()
    {
        Fixture table = new(PolicyYaml.Config("[]"));

        table.IsEmpty.Should().BeTrue();
        AuthorizationDecision decision = Decide(table, FromC, Reviews);
        decision.Allowed.Should().BeTrue();
        decision.Outcome.Should().Be(AuthorizationOutcome.NoPolicy);
    }

    [Fact]
    public void Evaluate_AllowForOneAccount_AllowsItDeniesOthersAndPlaintext()
    {
        Fixture table = new(PolicyYaml.Config(AllowA("Namespace")));

        AuthorizationDecision a = Decide(table, FromA, Reviews);
        a.Allowed.Should().BeTrue();
        a.Outcome.Should().Be(AuthorizationOutcome.AllowMatched);
        a.PolicyKey.Should().Be("default/allow-a");
        a.Describe().Should().Be("allowed by policy default/allow-a");

        AuthorizationDecision c = Decide(table, FromC, Reviews);
        c.Allowed.Should().BeFalse();
        c.Outcome.Should().Be(AuthorizationOutcome.NoAllowMatched);
        c.Describe().Should().Be("denied: no allow policy matched");

        Decide(table, null, Reviews).Allowed.Should().BeFalse();
    }

    [Fact]
    public void Evaluate_DenyAndAllowBothMatch_DenyWins()
    {
        Fixture table = new(PolicyYaml.Config(AllowA("Namespace") + """
            - name: deny-9080
              namespace: default
              scope: Namespace
              action: Deny
              rules: [[[destinationPorts: [9080]]]]

            """));

        AuthorizationDecision decision = Decide(table, FromA, Reviews);

        decision.Allowed.Should().BeFalse();
        decision.Outcome.Should().Be(AuthorizationOutcome.DenyMatched);
        decision.PolicyKey.Should().Be("default/deny-9080");
        Decide(table, FromA, Reviews, port: 9090).Allowed.Should().BeTrue("the deny does not match port 9090 and the allow does");
    }

    [Fact]
    public void Evaluate_OnlyDenyPolicies_NonMatchingConnectionsAllowed()
    {
        Fixture table = new(PolicyYaml.Config("""
            - name: deny-c
              namespace: default
              scope: Global
              action: Deny
              rules: [[[principals: [{Exact: cluster.local/ns/default/sa/c}]]]]

            """));

        Decide(table, FromC, Reviews).Allowed.Should().BeFalse();
        Decide(table, FromA, Reviews).Outcome.Should().Be(AuthorizationOutcome.NoPolicy);
        Decide(table, null, Reviews).Allowed.Should().BeTrue();
    }

    [Fact]
    public void Evaluate_AllowWithNoRules_DeniesEverything()
    {
        // Istio's "allow-nothing": an Allow policy that applies and can never match.
        Fixture table = new(PolicyYaml.Config("""
            - name: allow-nothing
              namespace: default
              scope: Namespace
              action: Allow

            """));

        Decide(table, FromA, Reviews).Allowed.Should().BeFalse();
        Decide(table, FromA, Ratings).Allowed.Should().BeTrue("the policy's namespace is not ratings'");
    }

    [Fact]
    public void Evaluate_DenyWithNoRules_DeniesNothing()
    {
        Fixture table = new(PolicyYaml.Config("""
            - name: deny-nothing
              namespace: default
              scope: Global
              action: Deny
              rules: []

            """));

        Decide(table, FromA, Reviews).Outcome.Should().Be(AuthorizationOutcome.NoPolicy);
    }

    [Theory]
    // Namespace: the policy's namespace is the workload's
    [InlineData("Namespace", "default", "10.44.0.20", false)]
    [InlineData("Namespace", "default", "10.44.0.30", true)]
    [InlineData("Namespace", "other", "10.44.0.30", false)]
    // Global: every workload, whatever the policy's namespace; and a destination the file does not name
    [InlineData("Global", "istio-system", "10.44.0.20", false)]
    [InlineData("Global", "istio-system", "10.44.0.30", false)]
    [InlineData("Global", "istio-system", "10.99.0.1", false)]
    [InlineData("Namespace", "default", "10.99.0.1", true)]
    public void Evaluate_Scope_DecidesWhichWorkloadsTheAllowBinds(string scope, string policyNamespace, string destination, bool cAllowed)
    {
        Fixture table = new(PolicyYaml.Config($"""
            - name: allow-a
              namespace: {policyNamespace}
              scope: {scope}
              action: Allow
              rules: [[[principals: [{"{Exact: cluster.local/ns/default/sa/a}"}]]]]

            """));

        Decide(table, FromC, IPAddress.Parse(destination)).Allowed.Should().Be(cAllowed);
        Decide(table, FromA, IPAddress.Parse(destination)).Allowed.Should().BeTrue();
    }

    [Fact]
    public void Evaluate_WorkloadSelector_AppliesOnlyToWorkloadsNamingIt()
    {
        Fixture table = new(PolicyYaml.Config("""
            - name: picked
              namespace: default
              scope: WorkloadSelector
              action: Deny
              rules: [[]]
            - name: unpicked
              namespace: other
              scope: WorkloadSelector
              action: Deny
              rules: [[]]

            """));

        AuthorizationDecision reviews = Decide(table, FromA, Reviews);
        reviews.Allowed.Should().BeFalse();
        reviews.PolicyKey.Should().Be("default/picked");
        Decide(table, FromA, Ratings).Allowed.Should().BeTrue("ratings names neither policy");
        Decide(table, FromA, IPAddress.Parse("fd00::20")).PolicyKey.Should().Be("default/picked", "either address of reviews is reviews");
    }

    [Fact]
    public void Evaluate_DryRunDeny_LoggedNotEnforced()
    {
        Fixture table = new(PolicyYaml.Config("""
            - name: would-deny-c
              namespace: default
              scope: Global
              action: Deny
              dryRun: true
              rules: [[[principals: [{Exact: cluster.local/ns/default/sa/c}]]]]

            """));

        AuthorizationDecision c = Decide(table, FromC, Reviews);
        c.Allowed.Should().BeTrue();
        c.DryRunAllowed.Should().BeFalse();
        c.DryRunDiffers.Should().BeTrue();
        c.DryRunPolicy!.Key.Should().Be("default/would-deny-c");
        Decide(table, FromA, Reviews).DryRunDiffers.Should().BeFalse();
    }

    [Fact]
    public void Evaluate_DryRunAllow_DoesNotMakeAllowPoliciesApply()
    {
        Fixture table = new(PolicyYaml.Config("""
            - name: would-allow-a
              namespace: default
              scope: Global
              action: Allow
              dryRun: true
              rules: [[[principals: [{Exact: cluster.local/ns/default/sa/a}]]]]

            """));

        AuthorizationDecision c = Decide(table, FromC, Reviews);
        c.Outcome.Should().Be(AuthorizationOutcome.NoPolicy, "a dry-run Allow is not enforced, so no Allow applies");
        c.DryRunAllowed.Should().BeFalse("enforced, it would have kept c out");
        Decide(table, FromA, Reviews).DryRunDiffers.Should().BeFalse();
    }

    [Fact]
    public void Evaluate_DryRunNextToEnforced_EnforcedDecides()
    {
        Fixture table = new(PolicyYaml.Config(AllowA("Global") + """
            - name: would-deny-all
              namespace: default
              scope: Global
              action: Deny
              dryRun: true
              rules: [[]]

            """));

        AuthorizationDecision a = Decide(table, FromA, Reviews);
        a.Allowed.Should().BeTrue();
        a.PolicyKey.Should().Be("default/allow-a");
        a.DryRunAllowed.Should().BeFalse();
        a.DryRunPolicy!.Key.Should().Be("default/would-deny-all");
    }

    private static string AllowA(string scope) => $"""
        - name: allow-a
          namespace: default
          scope: {scope}
          action: Allow
          rules:
          - - - principals: [{"{Exact: cluster.local/ns/default/sa/a}"}]

        """;

    private static AuthorizationDecision Decide(Fixture fixture, string? identity, IPAddress destination, int port = 9080) =>
        fixture.Table.Evaluate(fixture.Index.FindWorkload(NativeSocketAddress.From(destination, port)),
            new AuthorizationRequest(SourceIdentity.FromUri(identity), IPAddress.Parse("10.1.0.5"), destination, port));

    /// <summary>The table and the index of one file version: the table knows workloads by reference, as the proxy finds them.</summary>
    private sealed class Fixture(LocalConfig config)
    {
        public WorkloadIndex Index { get; } = new(config);

        public PolicyTable Table { get; } = new(config);

        public bool IsEmpty => Table.IsEmpty;
    }
}
