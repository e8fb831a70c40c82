using Capture.Init.Rules;

namespace Capture.Init.Explain;

/// <summary>iptables: tables by the kernel's priorities (raw -300, mangle -150, nat DNAT -100, filter 0, nat SNAT +100), iptables-save's words.</summary>
internal sealed class IptablesNotation : IRuleNotation
{
    private static readonly Table[] s_prerouting = [Rules.Table.Raw, Rules.Table.Mangle, Rules.Table.Nat];
    private static readonly Table[] s_input = [Rules.Table.Mangle, Rules.Table.Filter, Rules.Table.Nat];
    private static readonly Table[] s_output = [Rules.Table.Raw, Rules.Table.Mangle, Rules.Table.Nat, Rules.Table.Filter];
    private static readonly Table[] s_postrouting = [Rules.Table.Mangle, Rules.Table.Nat];

    private IptablesNotation()
    {
    }

    public static IptablesNotation Instance { get; } = new();

    public string Backend => "iptables";

    public IReadOnlyList<Table> Tables(Hook hook) => hook switch
    {
        Hook.Prerouting => s_prerouting,
        Hook.Input => s_input,
        Hook.Output => s_output,
        _ => s_postrouting,
    };

    public string Table(Table table) => table.Name();

    public string Chain(string chain) => chain;

    public string Rule(Rule rule) => rule.ToRestoreLine();

    public string Policy(string policy) => policy;
}
