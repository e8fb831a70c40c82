namespace Capture.Init.Rules;

/// <summary>
/// One condition of a rule (<c>-p tcp</c>, <c>! -d 127.0.0.1/32</c>, <c>-m owner --uid-owner 1337</c>). Matches keep
/// semantic values (addresses, ports, marks) so a packet can be simulated through them; <see cref="ToString"/> is the
/// exact text docs/rules.md gives, and <see cref="AppendTokens"/> the same as argv tokens for <c>iptables -C</c>.
/// </summary>
internal abstract record Match
{
    /// <summary>
    /// Position in iptables-save's canonical order: the base matches <c>-s -d -i -o -p</c> first, in that order, then
    /// modules (<c>-m …</c>) in the order they were given, which save keeps.
    /// </summary>
    internal virtual int CanonicalOrder => ModuleOrder;

    internal const int ModuleOrder = 10;

    /// <summary>Appends this match's iptables arguments, e.g. <c>!</c>, <c>--dport</c>, <c>15008</c>.</summary>
    public abstract void AppendTokens(List<string> tokens);

    public sealed override string ToString()
    {
        var tokens = new List<string>(6);
        AppendTokens(tokens);
        return string.Join(' ', tokens);
    }

    private protected static void AppendNegation(List<string> tokens, bool negated)
    {
        if (negated)
        {
            tokens.Add("!");
        }
    }
}
