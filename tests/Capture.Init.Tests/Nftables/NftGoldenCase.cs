using Capture.Init.Configuration;

namespace Capture.Init.Tests.Nftables;

/// <summary>
/// One of Istio's nftables golden configurations (NFTABLES.md 1.6), built directly as options the way Istio's test
/// builds its config, with the self-check figures of that table: <c>wc -l</c> of Istio's golden, the tables it writes,
/// and how many <c>insert rule</c> lines it has.
/// </summary>
public sealed record NftGoldenCase(string Name, int Lines, string Tables, int Inserts)
{
    internal RuleOptions Options { get; init; } = RuleOptions.Default;

    internal HostFacts Host { get; init; } = HostFacts.None;

    public override string ToString() => Name;
}
