namespace Capture.Init.Nftables;

/// <summary>What an nft match looks at: a meta key, a conntrack key, or a header field of one protocol.</summary>
internal enum NftField
{
    IifName,
    OifName,
    L4Proto,
    SkUid,
    SkGid,
    Mark,
    CtState,
    CtMark,
    IpSaddr,
    IpDaddr,
    Ip6Saddr,
    Ip6Daddr,
    TcpDport,
    TcpSport,
    UdpDport,
    UdpSport,
}
