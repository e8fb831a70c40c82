namespace Capture.Init.Rules;

/// <summary><c>ip [-6] route add local default dev lo table TABLE</c>: every destination is local in that table, so marked packets reach the proxy's socket.</summary>
internal sealed record IpRouteAddLocalDefault(IpFamily Family, string RouteTable, string Device = "lo") : RouteCommand(Family)
{
    private protected override void AppendArguments(List<string> arguments)
    {
        arguments.Add("route");
        arguments.Add("add");
        arguments.Add("local");
        arguments.Add("default");
        arguments.Add("dev");
        arguments.Add(Device);
        arguments.Add("table");
        arguments.Add(RouteTable);
    }
}
