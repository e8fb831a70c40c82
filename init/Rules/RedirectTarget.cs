namespace Capture.Init.Rules;

/// <summary>
/// <c>-j REDIRECT --to-ports P</c> (nat): the connection goes to a local port, the original destination stays readable
/// with SO_ORIGINAL_DST. Istio spells the UDP DNS rule <c>--to-port</c> (<see cref="SingularSpelling"/>); iptables reads
/// both the same and saves <c>--to-ports</c>, so the spelling is not part of equality.
/// </summary>
internal sealed record RedirectTarget(int Port, bool SingularSpelling = false) : Target
{
    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-j");
        tokens.Add("REDIRECT");
        tokens.Add(SingularSpelling ? "--to-port" : "--to-ports");
        tokens.Add(Port.ToString());
    }

    public bool Equals(RedirectTarget? other) => other is not null && Port == other.Port;

    public override int GetHashCode() => Port;
}
