namespace Capture.Init.Rules;

/// <summary><c>-j MARK --set-mark M</c>; iptables-save writes it <c>--set-xmark 0xM/0xffffffff</c>.</summary>
internal sealed record MarkTarget(uint Mark) : Target
{
    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-j");
        tokens.Add("MARK");
        tokens.Add("--set-mark");
        tokens.Add(Mark.ToString());
    }
}
