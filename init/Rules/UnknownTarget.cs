namespace Capture.Init.Rules;

/// <summary>A target capture-init never generates (found in live rules), kept as tokens (including <c>-j</c>). Never produced by the builder.</summary>
internal sealed record UnknownTarget(IReadOnlyList<string> Tokens) : Target
{
    public override void AppendTokens(List<string> tokens) => tokens.AddRange(Tokens);

    public bool Equals(UnknownTarget? other) => other is not null && Tokens.SequenceEqual(other.Tokens);

    public override int GetHashCode() => Tokens.Count == 0 ? 0 : HashCode.Combine(Tokens.Count, Tokens[^1]);
}
