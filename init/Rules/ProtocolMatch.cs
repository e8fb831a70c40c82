namespace Capture.Init.Rules;

/// <summary><c>-p tcp</c> / <c>-p udp</c>.</summary>
internal sealed record ProtocolMatch(string Protocol) : Match
{
    public static ProtocolMatch Tcp { get; } = new("tcp");

    public static ProtocolMatch Udp { get; } = new("udp");

    internal override int CanonicalOrder => 4;

    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-p");
        tokens.Add(Protocol);
    }
}
