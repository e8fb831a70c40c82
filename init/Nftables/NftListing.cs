using System.Text.Json;
using System.Text.Json.Serialization;

namespace Capture.Init.Nftables;

/// <summary>
/// The top level of <c>nft -j list …</c>: <c>{"nftables": [ {"metainfo": …}, {"table": …}, {"chain": …}, {"rule": …} ]}</c>.
/// Each item is an object with one key naming its kind, so items stay <see cref="JsonElement"/>s and
/// <see cref="NftJsonParser"/> reads them by hand.
/// </summary>
internal sealed class NftListing
{
    [JsonPropertyName("nftables")]
    public List<JsonElement>? Items { get; set; }
}
