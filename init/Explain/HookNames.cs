namespace Capture.Init.Explain;

/// <summary>Built-in chain names of the hooks, as iptables spells them.</summary>
internal static class HookNames
{
    public static string ChainName(this Hook hook) => hook switch
    {
        Hook.Prerouting => "PREROUTING",
        Hook.Input => "INPUT",
        Hook.Output => "OUTPUT",
        Hook.Postrouting => "POSTROUTING",
        _ => throw new ArgumentOutOfRangeException(nameof(hook), hook, null),
    };
}
