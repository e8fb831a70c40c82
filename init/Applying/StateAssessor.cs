using Capture.Init.Rules;

namespace Capture.Init.Applying;

/// <summary>
/// Compares live rules (parsed iptables-save) with a plan, looking only at what is ours: the ISTIO_* chains, and in
/// built-in chains the planned rules plus any rule jumping to one of our chains. Everything else in the namespace
/// (another tool's rules) is ignored. Rules within a chain compare as multisets, as istio-iptables does: the kernel
/// check that follows (<c>-C</c> for every planned rule) confirms each rule really is there.
/// </summary>
internal static class StateAssessor
{
    public static StateAssessment Assess(IptablesState live, IptablesState plan)
    {
        ArgumentNullException.ThrowIfNull(live);
        ArgumentNullException.ThrowIfNull(plan);
        var differences = new List<string>();
        bool anyOursLive = false;

        foreach (ChainState planned in plan.Chains)
        {
            ChainState? found = live.Find(planned.Table, planned.Name);
            IReadOnlyList<Rule> liveRules = found is null
                ? []
                : planned.IsBuiltIn ? PlanOwnership.OursInBuiltIn(found, plan) : found.Rules;
            if (found is not null && (!planned.IsBuiltIn || liveRules.Count > 0))
            {
                anyOursLive = true;
            }

            if (found is null && !planned.IsBuiltIn)
            {
                differences.Add($"{planned.Table.Name()} chain {planned.Name} is missing");
                continue;
            }

            CompareRules(planned.Rules, liveRules, differences);
        }

        foreach (ChainState chain in live.Chains)
        {
            if (plan.Find(chain.Table, chain.Name) is not null)
            {
                continue;
            }

            if (ChainNames.IsOurs(chain.Name))
            {
                anyOursLive = true;
                differences.Add($"{chain.Table.Name()} chain {chain.Name} is not in the plan ({chain.Rules.Count} rules)");
            }
            else if (chain.IsBuiltIn)
            {
                // A built-in chain the plan does not touch may still jump to one of our chains (left by another configuration).
                foreach (Rule rule in PlanOwnership.OursInBuiltIn(chain, plan))
                {
                    anyOursLive = true;
                    differences.Add($"{chain.Table.Name()}: unexpected rule '{rule.ToRestoreLine()}'");
                }
            }
        }

        if (!anyOursLive)
        {
            return StateAssessment.Clean;
        }

        return differences.Count == 0 ? StateAssessment.Current : new StateAssessment(StateKind.Drifted, differences);
    }

    private static void CompareRules(IReadOnlyList<Rule> planned, IReadOnlyList<Rule> live, List<string> differences)
    {
        // Multiset difference both ways, in time linear in the rules (thousands of -d ports or -c NICs make chains of
        // thousands): live rules counted in a hash table keyed by the canonical rule, whose hash agrees with its equality
        // (iptables-save spelling equals the plan's).
        var unmatched = new Dictionary<Rule, int>(live.Count);
        foreach (Rule rule in live)
        {
            unmatched[rule] = unmatched.GetValueOrDefault(rule) + 1;
        }

        foreach (Rule rule in planned)
        {
            if (unmatched.TryGetValue(rule, out int count) && count > 0)
            {
                unmatched[rule] = count - 1;
            }
            else
            {
                differences.Add($"{rule.Table.Name()}: missing rule '{rule.ToRestoreLine()}'");
            }
        }

        // In live order, each rule as many times as it is left over.
        foreach (Rule rule in live)
        {
            if (unmatched.TryGetValue(rule, out int count) && count > 0)
            {
                unmatched[rule] = count - 1;
                differences.Add($"{rule.Table.Name()}: unexpected rule '{rule.ToRestoreLine()}'");
            }
        }
    }
}
