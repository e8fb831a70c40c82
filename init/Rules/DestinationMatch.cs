using System.Net;
using Capture.Init.Values;

namespace Capture.Init.Rules;

/// <summary><c>[!] -d CIDR</c>.</summary>
internal sealed record DestinationMatch(IPNetwork Network, bool Negated = false) : Match
{
    internal override int CanonicalOrder => 1;

    public override void AppendTokens(List<string> tokens)
    {
        AppendNegation(tokens, Negated);
        tokens.Add("-d");
        tokens.Add(IpText.Format(Network));
    }
}
