namespace Capture.Init.Rules;

/// <summary>
/// <c>-j CONNMARK --save-mark</c> / <c>--restore-mark</c>; iptables-save adds the default
/// <c>--nfmask 0xffffffff --ctmask 0xffffffff</c>, which the parser accepts.
/// </summary>
internal sealed record ConnmarkTarget(ConnmarkAction Action) : Target
{
    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-j");
        tokens.Add("CONNMARK");
        tokens.Add(Action == ConnmarkAction.SaveMark ? "--save-mark" : "--restore-mark");
    }
}
