namespace Capture.Init.Rules;

/// <summary>conntrack states for <c>-m conntrack --ctstate</c>; rendered in iptables' own order.</summary>
[Flags]
internal enum ConntrackStates
{
    None = 0,
    Invalid = 1,
    New = 2,
    Related = 4,
    Established = 8,
    Untracked = 16,
    Snat = 32,
    Dnat = 64,
}
