namespace Capture.Init.Rules;

/// <summary>
/// <c>[!] --dport P</c>, the tcp/udp module loaded implicitly by a preceding <c>-p</c> (iptables-save spells it
/// <c>-m tcp --dport P</c>).
/// </summary>
internal sealed record DestinationPortMatch(int Port, bool Negated = false) : Match
{
    public override void AppendTokens(List<string> tokens)
    {
        AppendNegation(tokens, Negated);
        tokens.Add("--dport");
        tokens.Add(Port.ToString());
    }
}
