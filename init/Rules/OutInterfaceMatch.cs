namespace Capture.Init.Rules;

/// <summary><c>[!] -o NAME</c>; a trailing <c>+</c> is iptables' prefix wildcard.</summary>
internal sealed record OutInterfaceMatch(string Interface, bool Negated = false) : Match
{
    /// <summary><c>-o lo</c>, used by most bypass rules.</summary>
    public static OutInterfaceMatch Loopback { get; } = new("lo");

    internal override int CanonicalOrder => 3;

    public override void AppendTokens(List<string> tokens)
    {
        AppendNegation(tokens, Negated);
        tokens.Add("-o");
        tokens.Add(Interface);
    }
}
