using System.Net;
using Capture.Proxy.Authorization;
using Capture.Proxy.Workloads;
using Capture.Proxy.Workloads.Policies;

namespace Capture.Proxy.Tests.Authorization;

/// <summary>
/// One match at a time against ztunnel's semantics (<c>src/rbac.rs</c>): every field, its <c>not*</c> form, each
/// StringMatch kind, a connection without identity. The connection: from
/// <c>spiffe://cluster.local/ns/default/sa/productpage</c> at 10.1.0.5 to 10.44.0.20:9080.
/// </summary>
public sealed class PolicyMatcherTests
{
    private const string Productpage = "spiffe://cluster.local/ns/default/sa/productpage";

    public static TheoryData<string, bool> Fields => new()
    {
        // an empty match holds for anything
        { "{}", true },
        // principals: the identity without spiffe://, four StringMatch kinds
        { "principals: [{Exact: cluster.local/ns/default/sa/productpage}]", true },
        { "principals: [{Exact: 'spiffe://cluster.local/ns/default/sa/productpage'}]", false },
        { "principals: [{Exact: cluster.local/ns/default/sa/reviews}]", false },
        { "principals: [{Exact: cluster.local/ns/default/sa/reviews}, {Exact: cluster.local/ns/default/sa/productpage}]", true },
        { "principals: [{Prefix: cluster.local/ns/default/}]", true },
        { "principals: [{Prefix: cluster.local/ns/other/}]", false },
        { "principals: [{Suffix: /sa/productpage}]", true },
        { "principals: [{Suffix: /sa/reviews}]", false },
        { "principals: [{Presence: {}}]", true },
        { "notPrincipals: [{Exact: cluster.local/ns/default/sa/productpage}]", false },
        { "notPrincipals: [{Exact: cluster.local/ns/default/sa/reviews}]", true },
        { "notPrincipals: [{Presence: {}}]", false },
        // namespaces: the identity's namespace
        { "namespaces: [{Exact: default}]", true },
        { "namespaces: [{Exact: other}]", false },
        { "namespaces: [{Prefix: def}]", true },
        { "notNamespaces: [{Exact: default}]", false },
        { "notNamespaces: [{Exact: other}]", true },
        // serviceAccounts: namespace and name, both exact
        { "serviceAccounts: [{namespace: default, serviceAccount: productpage}]", true },
        { "serviceAccounts: [{namespace: other, serviceAccount: productpage}]", false },
        { "serviceAccounts: [{namespace: default, serviceAccount: reviews}]", false },
        { "notServiceAccounts: [{namespace: default, serviceAccount: productpage}]", false },
        { "notServiceAccounts: [{namespace: default, serviceAccount: reviews}]", true },
        // sourceIps / destinationIps: CIDRs
        { "sourceIps: [10.1.0.0/16]", true },
        { "sourceIps: [10.2.0.0/16, 10.1.0.5/32]", true },
        { "sourceIps: [10.2.0.0/16]", false },
        { "sourceIps: ['fd00::/8']", false },
        { "notSourceIps: [10.1.0.0/16]", false },
        { "notSourceIps: [10.2.0.0/16]", true },
        { "destinationIps: [10.44.0.20/32]", true },
        { "destinationIps: [10.44.1.0/24]", false },
        { "notDestinationIps: [10.44.0.0/16]", false },
        { "notDestinationIps: [10.45.0.0/16]", true },
        // destinationPorts
        { "destinationPorts: [9080]", true },
        { "destinationPorts: [80, 9080]", true },
        { "destinationPorts: [80]", false },
        { "notDestinationPorts: [9080]", false },
        { "notDestinationPorts: [80]", true },
        // every present field must hold
        { "principals: [{Exact: cluster.local/ns/default/sa/productpage}], destinationPorts: [9080], sourceIps: [10.1.0.0/16]", true },
        { "principals: [{Exact: cluster.local/ns/default/sa/productpage}], destinationPorts: [80]", false },
        { "destinationPorts: [9080], notSourceIps: [10.1.0.5/32]", false },
    };

    public static TheoryData<string, bool> WithoutIdentity => new()
    {
        { "{}", true },
        { "principals: [{Presence: {}}]", false },
        { "principals: [{Prefix: ''}]", false },
        { "namespaces: [{Exact: default}]", false },
        { "serviceAccounts: [{namespace: default, serviceAccount: productpage}]", false },
        // the negations hold: there is nothing for them to match (Istio's "deny plaintext" idiom relies on it)
        { "notPrincipals: [{Presence: {}}]", true },
        { "notNamespaces: [{Exact: default}]", true },
        { "notServiceAccounts: [{namespace: default, serviceAccount: productpage}]", true },
        { "sourceIps: [10.1.0.0/16], destinationPorts: [9080]", true },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void Matches_OneMatchField_FollowsZtunnel(string match, bool expected)
    {
        AuthorizationPolicy policy = PolicyYaml.OneMatch(match).Policies[0];

        PolicyMatcher.Matches(policy, Request(Productpage)).Should().Be(expected, match);
    }

    [Theory]
    [MemberData(nameof(WithoutIdentity))]
    public void Matches_PlaintextConnection_IdentityFieldsCannotHold(string match, bool expected)
    {
        AuthorizationPolicy policy = PolicyYaml.OneMatch(match).Policies[0];

        PolicyMatcher.Matches(policy, Request(null)).Should().Be(expected, match);
    }

    [Fact]
    public void Matches_NonIstioIdentity_PrincipalMatchesButNamespaceCannot()
    {
        AuthorizationRequest request = Request("spiffe://example.org/workload/a");

        PolicyMatcher.Matches(PolicyYaml.OneMatch("principals: [{Exact: example.org/workload/a}]").Policies[0], request).Should().BeTrue();
        PolicyMatcher.Matches(PolicyYaml.OneMatch("namespaces: [{Presence: {}}]").Policies[0], request).Should().BeFalse();
    }

    [Fact]
    public void Matches_Ipv4MappedSource_MatchesItsIpv4Cidr()
    {
        AuthorizationRequest request = Request(null) with { Source = IPAddress.Parse("10.1.0.5").MapToIPv6() };

        PolicyMatcher.Matches(PolicyYaml.OneMatch("sourceIps: [10.1.0.0/16]").Policies[0], request).Should().BeTrue();
    }

    [Theory]
    // rules are an OR: one matching rule is enough
    [InlineData("[[[destinationPorts: [80]]], [[destinationPorts: [9080]]]]", true)]
    [InlineData("[[[destinationPorts: [80]]], [[destinationPorts: [81]]]]", false)]
    // a rule's clauses are an AND: every clause must match
    [InlineData("[[[destinationPorts: [9080]], [sourceIps: [10.1.0.0/16]]]]", true)]
    [InlineData("[[[destinationPorts: [9080]], [sourceIps: [10.2.0.0/16]]]]", false)]
    // a clause's matches are an OR
    [InlineData("[[[{destinationPorts: [80]}, {destinationPorts: [9080]}]]]", true)]
    [InlineData("[[[{destinationPorts: [80]}, {destinationPorts: [81]}]]]", false)]
    // a policy with no rules matches nothing; an empty rule matches everything; an empty clause matches nothing
    [InlineData("[]", false)]
    [InlineData("[[]]", true)]
    [InlineData("[[[]]]", false)]
    [InlineData("[[[{}]]]", true)]
    public void Matches_RuleStructure_IsOrOfAndOfOr(string rules, bool expected)
    {
        LocalConfig config = PolicyYaml.Config($"""
            - name: p
              namespace: default
              rules: {rules}

            """);

        PolicyMatcher.Matches(config.Policies[0], Request(Productpage)).Should().Be(expected, rules);
    }

    private static AuthorizationRequest Request(string? identity) =>
        new(SourceIdentity.FromUri(identity), IPAddress.Parse("10.1.0.5"), IPAddress.Parse("10.44.0.20"), 9080);
}
