using System.Globalization;

namespace Capture.Init.Nftables;

/// <summary>
/// A statement of an nft rule: <c>counter</c>, a verdict (<c>return</c>, <c>jump istio-output</c>), or an action
/// (<c>redirect to :15001</c>, <c>tproxy ip to :15006</c>, <c>meta mark set 1337</c>, <c>ct zone set 1</c>).
/// <see cref="Number"/> is the port, mark or zone; <see cref="Name"/> the jump target or the tproxy family
/// (<c>ip</c>/<c>ip6</c>); <see cref="NumberText"/> how the user wrote the number (a mark given as <c>0x539</c>), which
/// is only how it is rendered, not part of equality.
/// </summary>
internal sealed record NftStatement(NftStatementKind Kind, long Number = 0, string? Name = null, string? NumberText = null)
{
    public static NftStatement Counter { get; } = new(NftStatementKind.Counter);

    public static NftStatement Return { get; } = new(NftStatementKind.Return);

    public static NftStatement Accept { get; } = new(NftStatementKind.Accept);

    public static NftStatement Drop { get; } = new(NftStatementKind.Drop);

    public static NftStatement SetCtMarkFromMark { get; } = new(NftStatementKind.SetCtMarkFromMark);

    public static NftStatement SetMarkFromCtMark { get; } = new(NftStatementKind.SetMarkFromCtMark);

    public static NftStatement Jump(string chain) => new(NftStatementKind.Jump, Name: chain);

    public static NftStatement Redirect(int port) => new(NftStatementKind.Redirect, port);

    public static NftStatement TProxy(string family, int port) => new(NftStatementKind.TProxy, port, family);

    public static NftStatement SetMark(uint mark, string? text = null) => new(NftStatementKind.SetMetaMark, mark, NumberText: text);

    public static NftStatement SetCtZone(int zone) => new(NftStatementKind.SetCtZone, zone);

    /// <summary>True for the statements that end evaluation of the chain or move it elsewhere.</summary>
    public bool IsVerdict => Kind is NftStatementKind.Return or NftStatementKind.Accept or NftStatementKind.Drop or NftStatementKind.Jump;

    public bool Equals(NftStatement? other) =>
        other is not null && Kind == other.Kind && Number == other.Number && Name == other.Name;

    public override int GetHashCode() => HashCode.Combine(Kind, Number, Name);

    public override string ToString()
    {
        string number = NumberText ?? Number.ToString(CultureInfo.InvariantCulture);
        return Kind switch
        {
            NftStatementKind.Counter => "counter",
            NftStatementKind.Return => "return",
            NftStatementKind.Accept => "accept",
            NftStatementKind.Drop => "drop",
            NftStatementKind.Jump => "jump " + Name,
            NftStatementKind.Redirect => "redirect to :" + number,
            NftStatementKind.TProxy => $"tproxy {Name} to :{number}",
            NftStatementKind.SetMetaMark => "meta mark set " + number,
            NftStatementKind.SetCtMarkFromMark => "ct mark set mark",
            NftStatementKind.SetMarkFromCtMark => "meta mark set ct mark",
            NftStatementKind.SetCtZone => "ct zone set " + number,
            _ => "<unknown " + Name + ">",
        };
    }
}
