namespace Capture.Init.Rules;

/// <summary><c>-j CT --zone N</c> (raw): puts DNS flows in separate conntrack zones so the proxy's own DNS traffic is not NATed twice.</summary>
internal sealed record CtZoneTarget(int Zone) : Target
{
    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-j");
        tokens.Add("CT");
        tokens.Add("--zone");
        tokens.Add(Zone.ToString());
    }
}
