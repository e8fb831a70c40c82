namespace Capture.Init.Nftables;

/// <summary>
/// The right-hand side of a match: <see cref="Text"/> as Istio writes it into the transaction (<c>127.0.0.1/32</c>,
/// <c>{ 53, 15008 }</c>, <c>related,established</c>) and <see cref="Key"/>, the form nft lists it in
/// (<c>127.0.0.1</c>, <c>53,15008</c>, <c>established,related</c>), which is what equality compares, so a planned rule
/// equals the same rule read back with <c>nft -j list</c>.
/// </summary>
internal sealed record NftValue(string Text, string Key)
{
    public bool Equals(NftValue? other) => other is not null && Key == other.Key;

    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Text;
}
