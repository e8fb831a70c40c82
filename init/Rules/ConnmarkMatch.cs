using Capture.Init.Values;

namespace Capture.Init.Rules;

/// <summary><c>-m connmark [!] --mark M[/MASK]</c>: the connection's mark.</summary>
internal sealed record ConnmarkMatch(uint Mark, bool Negated = false, uint Mask = MarkText.FullMask) : Match
{
    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-m");
        tokens.Add("connmark");
        AppendNegation(tokens, Negated);
        tokens.Add("--mark");
        tokens.Add(Mask == MarkText.FullMask ? Mark.ToString() : Mark + "/" + MarkText.Hex(Mask));
    }
}
