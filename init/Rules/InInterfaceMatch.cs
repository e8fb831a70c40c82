namespace Capture.Init.Rules;

/// <summary><c>[!] -i NAME</c>; a trailing <c>+</c> is iptables' prefix wildcard.</summary>
internal sealed record InInterfaceMatch(string Interface, bool Negated = false) : Match
{
    internal override int CanonicalOrder => 2;

    public override void AppendTokens(List<string> tokens)
    {
        AppendNegation(tokens, Negated);
        tokens.Add("-i");
        tokens.Add(Interface);
    }
}
