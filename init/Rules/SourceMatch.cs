using System.Net;
using Capture.Init.Values;

namespace Capture.Init.Rules;

/// <summary><c>[!] -s CIDR</c>.</summary>
internal sealed record SourceMatch(IPNetwork Network, bool Negated = false) : Match
{
    internal override int CanonicalOrder => 0;

    public override void AppendTokens(List<string> tokens)
    {
        AppendNegation(tokens, Negated);
        tokens.Add("-s");
        tokens.Add(IpText.Format(Network));
    }
}
