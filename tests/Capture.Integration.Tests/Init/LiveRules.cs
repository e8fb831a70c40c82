using Capture.Init.Iptables;
using Capture.Init.Rules;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Init;

/// <summary>Reads a namespace's rules with the real iptables-save and parses them with capture-init's parser.</summary>
internal static class LiveRules
{
    /// <summary>The save binary: <c>iptables-nft-save</c>, <c>ip6tables-legacy-save</c>, …</summary>
    public static string SaveBinary(string backend, IpFamily family)
        => (family == IpFamily.V4 ? "iptables" : "ip6tables") + (backend.Length == 0 ? string.Empty : "-" + backend) + "-save";

    public static string SaveText(TestNamespace ns, string backend = "nft", IpFamily family = IpFamily.V4)
        => ns.Exec(SaveBinary(backend, family)).EnsureSuccess().Stdout;

    public static IptablesState Read(TestNamespace ns, string backend = "nft", IpFamily family = IpFamily.V4)
        => IptablesSaveParser.Parse(SaveText(ns, backend, family));

    /// <summary>The live state restricted to what a plan touches, for a readable comparison with the plan's state.</summary>
    public static IptablesState Ours(IptablesState live, IptablesState plan)
    {
        var chains = new List<ChainState>();
        foreach (ChainState chain in live.Chains)
        {
            if (plan.Find(chain.Table, chain.Name) is not null || ChainNames.IsOurs(chain.Name))
            {
                chains.Add(new ChainState(chain.Table, chain.Name, chain.Rules));
            }
        }

        return new IptablesState(chains);
    }
}
