using Capture.Init.Values;

namespace Capture.Init.Rules;

/// <summary><c>-m mark [!] --mark M[/MASK]</c>: the packet's fwmark.</summary>
internal sealed record MarkMatch(uint Mark, bool Negated = false, uint Mask = MarkText.FullMask) : Match
{
    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-m");
        tokens.Add("mark");
        AppendNegation(tokens, Negated);
        tokens.Add("--mark");
        tokens.Add(Mask == MarkText.FullMask ? Mark.ToString() : Mark + "/" + MarkText.Hex(Mask));
    }
}
