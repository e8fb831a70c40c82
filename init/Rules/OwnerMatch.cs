namespace Capture.Init.Rules;

/// <summary>
/// <c>-m owner [!] --uid-owner X</c> or <c>--gid-owner X</c>, one module per id (that is how Istio writes several).
/// <see cref="Id"/> is kept as given: a number, or a user/group name iptables resolves (iptables-save prints the number).
/// </summary>
internal sealed record OwnerMatch(OwnerKind Kind, string Id, bool Negated = false) : Match
{
    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-m");
        tokens.Add("owner");
        AppendNegation(tokens, Negated);
        tokens.Add(Kind == OwnerKind.Uid ? "--uid-owner" : "--gid-owner");
        tokens.Add(Id);
    }
}
