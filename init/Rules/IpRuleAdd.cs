namespace Capture.Init.Rules;

/// <summary><c>ip [-6] rule add fwmark MARK lookup TABLE</c>: packets TPROXY marked are routed by <see cref="RouteTable"/>.</summary>
internal sealed record IpRuleAdd(IpFamily Family, uint FirewallMark, string RouteTable) : RouteCommand(Family)
{
    private protected override void AppendArguments(List<string> arguments)
    {
        arguments.Add("rule");
        arguments.Add("add");
        arguments.Add("fwmark");
        arguments.Add(FirewallMark.ToString());
        arguments.Add("lookup");
        arguments.Add(RouteTable);
    }
}
