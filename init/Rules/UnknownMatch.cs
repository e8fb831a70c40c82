namespace Capture.Init.Rules;

/// <summary>
/// A match capture-init never generates (found in live rules, e.g. <c>-m comment</c> from another tool), kept as its
/// tokens so a parsed rule still renders and compares. Never produced by the builder.
/// </summary>
internal sealed record UnknownMatch(IReadOnlyList<string> Tokens) : Match
{
    public override void AppendTokens(List<string> tokens) => tokens.AddRange(Tokens);

    public bool Equals(UnknownMatch? other) => other is not null && Tokens.SequenceEqual(other.Tokens);

    public override int GetHashCode() => Tokens.Count == 0 ? 0 : HashCode.Combine(Tokens.Count, Tokens[0]);
}
