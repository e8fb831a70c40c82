namespace Capture.Init.Rules;

/// <summary><c>[!] --sport P</c>, the tcp/udp module loaded implicitly by a preceding <c>-p</c>.</summary>
internal sealed record SourcePortMatch(int Port, bool Negated = false) : Match
{
    public override void AppendTokens(List<string> tokens)
    {
        AppendNegation(tokens, Negated);
        tokens.Add("--sport");
        tokens.Add(Port.ToString());
    }
}
