using Capture.Init.Rules;

namespace Capture.Init.Nftables;

/// <summary>One chain of an nft table as the kernel holds it: its rules in evaluation order.</summary>
internal sealed record NftChainState(Table Table, string Name, IReadOnlyList<NftRule> Rules);
