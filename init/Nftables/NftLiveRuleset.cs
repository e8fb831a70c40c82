namespace Capture.Init.Nftables;

/// <summary>
/// What <c>nft -j list ruleset</c> showed: Istio's <c>inet</c> tables as an <see cref="NftState"/>, and the chains of
/// every other table as <c>FAMILY TABLE CHAIN</c> (iptables-nft keeps its rules in <c>ip nat</c>, <c>ip6 mangle</c> …).
/// </summary>
internal sealed record NftLiveRuleset(NftState State, IReadOnlyList<string> ForeignChains)
{
    /// <summary>Chains named ISTIO_* in iptables-nft's tables: capture rules an earlier iptables run left behind.</summary>
    public IReadOnlyList<string> IptablesCaptureChains()
    {
        var found = new List<string>();
        foreach (string chain in ForeignChains)
        {
            string name = chain[(chain.LastIndexOf(' ') + 1)..];
            if (name.StartsWith("ISTIO_", StringComparison.Ordinal))
            {
                found.Add(chain);
            }
        }

        return found;
    }
}
