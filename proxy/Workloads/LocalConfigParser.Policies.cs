using System.Net;
using Capture.Proxy.Workloads.Policies;
using YamlDotNet.RepresentationModel;

namespace Capture.Proxy.Workloads;

/// <summary>The <c>policies</c> list (ztunnel's <c>src/rbac.rs</c> shapes).</summary>
internal sealed partial class LocalConfigParser
{
    private AuthorizationPolicy ParsePolicy(YamlMappingNode entry, string where)
    {
        string? name = null, @namespace = null;
        AuthorizationPolicy policy = new() { Name = "", Namespace = "" };
        foreach (KeyValuePair<YamlNode, YamlNode> field in entry.Children)
        {
            string key = Key(field.Key, where);
            YamlNode value = field.Value;
            policy = key switch
            {
                "name" => policy with { Name = name = RequiredString(value, where, key) },
                "namespace" => policy with { Namespace = @namespace = RequiredString(value, where, key) },
                "scope" => policy with { Scope = Scope(value, where, key) },
                "action" => policy with { Action = Action(value, where, key) },
                "dryRun" => policy with { DryRun = Bool(value, where, key) },
                "rules" => policy with { Rules = Rules(value, where, key) },
                _ => throw Error(where, key, field.Key, "unknown field; a policy has name, namespace, scope, action, dryRun, rules"),
            };
        }

        if (name is null || @namespace is null)
        {
            throw Error(where, name is null ? "name" : "namespace", entry, "is required");
        }

        return policy;
    }

    private PolicyScope Scope(YamlNode node, string where, string field) => String(node, where, field) switch
    {
        "Global" => PolicyScope.Global,
        "Namespace" => PolicyScope.Namespace,
        "WorkloadSelector" => PolicyScope.WorkloadSelector,
        string other => throw Error(where, field, node, $"\"{other}\" is not Global, Namespace or WorkloadSelector"),
    };

    private PolicyAction Action(YamlNode node, string where, string field) => String(node, where, field) switch
    {
        "Allow" => PolicyAction.Allow,
        "Deny" => PolicyAction.Deny,
        string other => throw Error(where, field, node, $"\"{other}\" is not Allow or Deny"),
    };

    // rules: a list of rules (OR), each a list of clauses (AND), each a list of matches (OR).
    private List<PolicyRule> Rules(YamlNode node, string where, string field)
    {
        List<PolicyRule> rules = [];
        if (IsNull(node))
        {
            return rules;
        }

        YamlSequenceNode ruleNodes = Sequence(node, where, field);
        for (int r = 0; r < ruleNodes.Children.Count; r++)
        {
            string ruleField = $"{field}[{r}]";
            List<PolicyClause> clauses = [];
            YamlSequenceNode clauseNodes = Sequence(ruleNodes.Children[r], where, ruleField);
            for (int c = 0; c < clauseNodes.Children.Count; c++)
            {
                string clauseField = $"{ruleField}[{c}]";
                List<PolicyMatch> matches = [];
                YamlSequenceNode matchNodes = Sequence(clauseNodes.Children[c], where, clauseField);
                for (int m = 0; m < matchNodes.Children.Count; m++)
                {
                    string matchField = $"{clauseField}[{m}]";
                    matches.Add(Match(Mapping(matchNodes.Children[m], where, matchField), where, matchField));
                }

                clauses.Add(new PolicyClause(matches));
            }

            rules.Add(new PolicyRule(clauses));
        }

        return rules;
    }

    private PolicyMatch Match(YamlMappingNode node, string where, string prefix)
    {
        PolicyMatch match = new();
        foreach (KeyValuePair<YamlNode, YamlNode> field in node.Children)
        {
            string key = Key(field.Key, where);
            string name = prefix + "." + key;
            YamlNode value = field.Value;
            match = key switch
            {
                "namespaces" => match with { Namespaces = StringMatches(value, where, name) },
                "notNamespaces" => match with { NotNamespaces = StringMatches(value, where, name) },
                "principals" => match with { Principals = StringMatches(value, where, name) },
                "notPrincipals" => match with { NotPrincipals = StringMatches(value, where, name) },
                "serviceAccounts" => match with { ServiceAccounts = ServiceAccounts(value, where, name) },
                "notServiceAccounts" => match with { NotServiceAccounts = ServiceAccounts(value, where, name) },
                "sourceIps" => match with { SourceIps = Networks(value, where, name) },
                "notSourceIps" => match with { NotSourceIps = Networks(value, where, name) },
                "destinationIps" => match with { DestinationIps = Networks(value, where, name) },
                "notDestinationIps" => match with { NotDestinationIps = Networks(value, where, name) },
                "destinationPorts" => match with { DestinationPorts = Ports(value, where, name) },
                "notDestinationPorts" => match with { NotDestinationPorts = Ports(value, where, name) },
                _ => throw Error(where, name, field.Key,
                    "unknown field; a match has namespaces, principals, serviceAccounts, sourceIps, destinationIps, destinationPorts " +
                    "and their not* forms"),
            };
        }

        return match;
    }

    private List<StringMatch> StringMatches(YamlNode node, string where, string field)
    {
        List<StringMatch> matches = [];
        if (IsNull(node))
        {
            return matches;
        }

        foreach (YamlNode item in Sequence(node, where, field).Children)
        {
            YamlMappingNode mapping = Mapping(item, where, field);
            if (mapping.Children.Count != 1)
            {
                throw Error(where, field, item, "a string match has exactly one of Exact, Prefix, Suffix, Presence");
            }

            KeyValuePair<YamlNode, YamlNode> only = mapping.Children.First();
            string kind = Key(only.Key, where);
            matches.Add(kind switch
            {
                "Exact" => new StringMatch(StringMatchKind.Exact, String(only.Value, where, field + "." + kind)),
                "Prefix" => new StringMatch(StringMatchKind.Prefix, String(only.Value, where, field + "." + kind)),
                "Suffix" => new StringMatch(StringMatchKind.Suffix, String(only.Value, where, field + "." + kind)),
                "Presence" when IsEmpty(only.Value) => new StringMatch(StringMatchKind.Presence, ""),
                "Presence" => throw Error(where, field + ".Presence", only.Value, "takes no value (write Presence: {})"),
                _ => throw Error(where, field, only.Key, $"\"{kind}\" is not Exact, Prefix, Suffix or Presence"),
            });
        }

        return matches;
    }

    private static bool IsEmpty(YamlNode node) =>
        IsNull(node) || node is YamlMappingNode { Children.Count: 0 } || node is YamlSequenceNode { Children.Count: 0 };

    private List<ServiceAccountMatch> ServiceAccounts(YamlNode node, string where, string field)
    {
        List<ServiceAccountMatch> accounts = [];
        if (IsNull(node))
        {
            return accounts;
        }

        foreach (YamlNode item in Sequence(node, where, field).Children)
        {
            string? @namespace = null, serviceAccount = null;
            foreach (KeyValuePair<YamlNode, YamlNode> pair in Mapping(item, where, field).Children)
            {
                string key = Key(pair.Key, where);
                switch (key)
                {
                    case "namespace":
                        @namespace = RequiredString(pair.Value, where, field + "." + key);
                        break;
                    case "serviceAccount":
                        serviceAccount = RequiredString(pair.Value, where, field + "." + key);
                        break;
                    default:
                        throw Error(where, field + "." + key, pair.Key, "unknown field; a service account match has namespace and serviceAccount");
                }
            }

            if (@namespace is null || serviceAccount is null)
            {
                throw Error(where, field + (@namespace is null ? ".namespace" : ".serviceAccount"), item, "is required");
            }

            accounts.Add(new ServiceAccountMatch(@namespace, serviceAccount));
        }

        return accounts;
    }

    private List<IPNetwork> Networks(YamlNode node, string where, string field)
    {
        List<IPNetwork> networks = [];
        if (!IsNull(node))
        {
            foreach (YamlNode item in Sequence(node, where, field).Children)
            {
                networks.Add(Network(item, where, field));
            }
        }

        return networks;
    }

    private List<int> Ports(YamlNode node, string where, string field)
    {
        List<int> ports = [];
        if (!IsNull(node))
        {
            foreach (YamlNode item in Sequence(node, where, field).Children)
            {
                ports.Add(Port(item, where, field));
            }
        }

        return ports;
    }
}
