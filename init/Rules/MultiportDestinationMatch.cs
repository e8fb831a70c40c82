namespace Capture.Init.Rules;

/// <summary><c>-m multiport [!] --dports P1,P2</c>.</summary>
internal sealed record MultiportDestinationMatch(IReadOnlyList<int> Ports, bool Negated = false) : Match
{
    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-m");
        tokens.Add("multiport");
        AppendNegation(tokens, Negated);
        tokens.Add("--dports");
        tokens.Add(string.Join(',', Ports));
    }

    public bool Equals(MultiportDestinationMatch? other) =>
        other is not null && Negated == other.Negated && Ports.SequenceEqual(other.Ports);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Negated);
        foreach (int port in Ports)
        {
            hash.Add(port);
        }

        return hash.ToHashCode();
    }
}
