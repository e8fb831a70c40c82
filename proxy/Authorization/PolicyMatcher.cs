using System.Net;
using Capture.Proxy.Workloads.Policies;

namespace Capture.Proxy.Authorization;

/// <summary>
/// ztunnel's policy matching (<c>src/rbac.rs</c>): a policy matches when any rule matches; a rule when every clause
/// does; a clause when any match does; a match when every field present in it holds (any of its values may match) and
/// every present <c>not*</c> field matches none of its values. A policy with no rules matches nothing; an empty rule,
/// or an empty match, matches everything; a clause with no matches matches nothing. Without a source identity
/// (plaintext), a present identity field (principals, namespaces, service accounts) cannot hold, and its <c>not*</c>
/// form always holds.
/// </summary>
internal static class PolicyMatcher
{
    public static bool Matches(AuthorizationPolicy policy, in AuthorizationRequest request)
    {
        IReadOnlyList<PolicyRule> rules = policy.Rules;
        for (int r = 0; r < rules.Count; r++)
        {
            if (RuleMatches(rules[r], request))
            {
                return true;
            }
        }

        return false;
    }

    private static bool RuleMatches(PolicyRule rule, in AuthorizationRequest request)
    {
        IReadOnlyList<PolicyClause> clauses = rule.Clauses;
        for (int c = 0; c < clauses.Count; c++)
        {
            if (!ClauseMatches(clauses[c], request))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ClauseMatches(PolicyClause clause, in AuthorizationRequest request)
    {
        IReadOnlyList<PolicyMatch> matches = clause.Matches;
        for (int m = 0; m < matches.Count; m++)
        {
            if (MatchHolds(matches[m], request))
            {
                return true;
            }
        }

        return false;
    }

    internal static bool MatchHolds(PolicyMatch match, in AuthorizationRequest request)
    {
        SourceIdentity? identity = request.Identity;
        return Holds(match.Namespaces, match.NotNamespaces, identity?.Namespace) &&
            Holds(match.Principals, match.NotPrincipals, identity?.Principal) &&
            Holds(match.ServiceAccounts, match.NotServiceAccounts, identity) &&
            Holds(match.SourceIps, match.NotSourceIps, request.Source) &&
            Holds(match.DestinationIps, match.NotDestinationIps, request.Destination) &&
            Holds(match.DestinationPorts, match.NotDestinationPorts, request.DestinationPort);
    }

    // A null value (no identity) matches no value.
    private static bool Holds(IReadOnlyList<StringMatch> any, IReadOnlyList<StringMatch> none, string? value)
    {
        if (any.Count > 0 && (value is null || !AnyString(any, value)))
        {
            return false;
        }

        return none.Count == 0 || value is null || !AnyString(none, value);
    }

    private static bool AnyString(IReadOnlyList<StringMatch> matches, string value)
    {
        for (int i = 0; i < matches.Count; i++)
        {
            if (matches[i].Matches(value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Holds(IReadOnlyList<ServiceAccountMatch> any, IReadOnlyList<ServiceAccountMatch> none, SourceIdentity? identity)
    {
        if (any.Count > 0 && (identity is null || !AnyAccount(any, identity)))
        {
            return false;
        }

        return none.Count == 0 || identity is null || !AnyAccount(none, identity);
    }

    private static bool AnyAccount(IReadOnlyList<ServiceAccountMatch> accounts, SourceIdentity identity)
    {
        for (int i = 0; i < accounts.Count; i++)
        {
            if (string.Equals(accounts[i].Namespace, identity.Namespace, StringComparison.Ordinal) &&
                string.Equals(accounts[i].ServiceAccount, identity.ServiceAccount, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Holds(IReadOnlyList<IPNetwork> any, IReadOnlyList<IPNetwork> none, IPAddress address)
    {
        if (any.Count > 0 && !AnyNetwork(any, address))
        {
            return false;
        }

        return none.Count == 0 || !AnyNetwork(none, address);
    }

    private static bool AnyNetwork(IReadOnlyList<IPNetwork> networks, IPAddress address)
    {
        // An IPv4-mapped IPv6 source (a dual-stack listener) is matched as the IPv4 address it carries.
        IPAddress plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        for (int i = 0; i < networks.Count; i++)
        {
            if (networks[i].Contains(plain))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Holds(IReadOnlyList<int> any, IReadOnlyList<int> none, int port)
    {
        if (any.Count > 0 && !AnyPort(any, port))
        {
            return false;
        }

        return none.Count == 0 || !AnyPort(none, port);
    }

    private static bool AnyPort(IReadOnlyList<int> ports, int port)
    {
        for (int i = 0; i < ports.Count; i++)
        {
            if (ports[i] == port)
            {
                return true;
            }
        }

        return false;
    }
}
