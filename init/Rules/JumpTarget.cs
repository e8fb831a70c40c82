namespace Capture.Init.Rules;

/// <summary><c>-j CHAIN</c>: continue in a user-defined chain.</summary>
internal sealed record JumpTarget(string Chain) : Target
{
    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-j");
        tokens.Add(Chain);
    }
}
