namespace Capture.Init.Rules;

/// <summary><c>-j RETURN</c>, <c>-j ACCEPT</c>, <c>-j DROP</c>.</summary>
internal sealed record VerdictTarget(Verdict Verdict) : Target
{
    public static VerdictTarget Return { get; } = new(Verdict.Return);

    public static VerdictTarget Accept { get; } = new(Verdict.Accept);

    public static VerdictTarget Drop { get; } = new(Verdict.Drop);

    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-j");
        tokens.Add(Verdict switch
        {
            Verdict.Return => "RETURN",
            Verdict.Accept => "ACCEPT",
            _ => "DROP",
        });
    }
}
