namespace Capture.Init.Nftables;

/// <summary>What an nft statement does (everything in a rule after its matches, counter included).</summary>
internal enum NftStatementKind
{
    Counter,
    Return,
    Accept,
    Drop,
    Jump,
    Redirect,
    TProxy,
    SetMetaMark,
    SetCtMarkFromMark,
    SetMarkFromCtMark,
    SetCtZone,

    /// <summary>An expression the plan never writes, read from the kernel; <see cref="NftStatement.Name"/> holds its JSON.</summary>
    Unknown,
}
