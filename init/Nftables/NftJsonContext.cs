using System.Text.Json.Serialization;

namespace Capture.Init.Nftables;

/// <summary>Source-generated System.Text.Json metadata for <see cref="NftListing"/> (Native AOT: no reflection).</summary>
[JsonSerializable(typeof(NftListing))]
internal sealed partial class NftJsonContext : JsonSerializerContext;
