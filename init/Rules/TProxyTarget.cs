using Capture.Init.Values;

namespace Capture.Init.Rules;

/// <summary>
/// <c>-j TPROXY --tproxy-mark M/MASK --on-port P</c> (mangle): marks the packet for policy routing to the local stack
/// and assigns it to the socket listening on <see cref="Port"/>. iptables-save adds <c>--on-ip 0.0.0.0</c> (or <c>::</c>),
/// the "any address" default, which the parser accepts and drops.
/// </summary>
internal sealed record TProxyTarget(uint Mark, int Port, uint Mask = MarkText.FullMask) : Target
{
    public override void AppendTokens(List<string> tokens)
    {
        tokens.Add("-j");
        tokens.Add("TPROXY");
        tokens.Add("--tproxy-mark");
        tokens.Add(Mark + "/" + MarkText.Hex(Mask));
        tokens.Add("--on-port");
        tokens.Add(Port.ToString());
    }
}
