namespace Capture.Init.Nftables;

/// <summary>
/// One condition of an nft rule: <c>FIELD [!=] VALUE</c>, e.g. <c>ip daddr != 127.0.0.1/32</c>. Istio spells the
/// owner keys <c>skuid</c> in the nat table and <c>meta skuid</c> in the raw table; nft reads both the same and lists
/// <c>meta skuid</c>, so the spelling (<see cref="MetaSpelling"/>) is not part of equality.
/// </summary>
internal sealed record NftMatch(NftField Field, NftValue Value, bool Negated = false, bool MetaSpelling = false)
{
    /// <summary>The protocol whose header this match reads (<c>tcp</c>/<c>udp</c>), or null for meta, ct and ip fields.</summary>
    public string? TransportProtocol => Field switch
    {
        NftField.TcpDport or NftField.TcpSport => "tcp",
        NftField.UdpDport or NftField.UdpSport => "udp",
        _ => null,
    };

    public bool Equals(NftMatch? other) =>
        other is not null && Field == other.Field && Negated == other.Negated && Value.Equals(other.Value);

    public override int GetHashCode() => HashCode.Combine(Field, Negated, Value);

    public override string ToString()
    {
        string field = Field switch
        {
            NftField.IifName => "iifname",
            NftField.OifName => "oifname",
            NftField.L4Proto => "meta l4proto",
            NftField.SkUid => MetaSpelling ? "meta skuid" : "skuid",
            NftField.SkGid => MetaSpelling ? "meta skgid" : "skgid",
            NftField.Mark => "mark",
            NftField.CtState => "ct state",
            NftField.CtMark => "ct mark",
            NftField.IpSaddr => "ip saddr",
            NftField.IpDaddr => "ip daddr",
            NftField.Ip6Saddr => "ip6 saddr",
            NftField.Ip6Daddr => "ip6 daddr",
            NftField.TcpDport => "tcp dport",
            NftField.TcpSport => "tcp sport",
            NftField.UdpDport => "udp dport",
            _ => "udp sport",
        };
        return Negated ? $"{field} != {Value.Text}" : $"{field} {Value.Text}";
    }
}
