using Capture.Init.Configuration;
using Capture.Init.Rules;
using Capture.NativeShims;
using Capture.NativeShims.Namespaces;

namespace Capture.Init.Applying;

/// <summary>
/// What can be known about the host before anything is touched, so a run that would fail half-way fails first: the
/// routing step needs the <c>ip</c> program, and IPv6 rules and the <c>::6</c> address need IPv6 on in the namespace.
/// </summary>
internal static class RunPreflight
{
    /// <summary>The problem, as one line, or null when the plan can be carried out here.</summary>
    public static string? Check(CaptureOptions options, RuleSet plan)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(plan);
        string where = options.Run.NetworkNamespace is { } path ? "network namespace " + path : "the current network namespace";
        if (plan.RouteCommands.Count > 0 && ExecutablePath.Find("ip", Environment.GetEnvironmentVariable("PATH")) is null)
        {
            return $"the plan needs the 'ip' program (iproute2) for '{plan.RouteCommands[0]}', and it is not on PATH; nothing was changed";
        }

        if (options.Rules.InterceptionMode == InterceptionMode.TProxy && plan.RouteCommands.Count > 0 && !options.Rules.TProxyRouteTable.All(char.IsAsciiDigit))
        {
            // A name: ip looks it up in rt_tables, so do we, before anything is applied.
            string table = options.Rules.TProxyRouteTable;
            if (RouteTables.Resolve(table) is not { } number)
            {
                return $"-r/--istio-inbound-tproxy-route-table: '{table}' is not a table named in rt_tables (/etc/iproute2/rt_tables and rt_tables.d); give a number or name it there; nothing was changed";
            }

            if (RouteTables.Reserved(number) is { } reserved)
            {
                return $"-r/--istio-inbound-tproxy-route-table: '{table}' is table {number}, which {reserved}; nothing was changed";
            }
        }

        if (plan.Ipv6Enabled && !options.Run.CleanupOnly)
        {
            string? disabled = NetworkNamespace.Run(options.Run.NetworkNamespace, Ipv6Disabled);
            if (disabled is not null)
            {
                string why = options.Run.Ipv6Mode == Ipv6Mode.On ? "--ipv6 true asks for IPv6 rules" : "IPv6 rules were planned (--ipv6 auto found IPv6 addresses)";
                return $"{why}, but IPv6 is disabled in {where} ({disabled}); enable it there or pass --ipv6=false; nothing was changed";
            }
        }

        return null;
    }

    /// <summary>Read on a thread inside the namespace: /proc/sys/net is the reading thread's namespace's.</summary>
    private static string? Ipv6Disabled()
    {
        const string sysctl = "/proc/sys/net/ipv6/conf/lo/disable_ipv6";
        try
        {
            return File.ReadAllText(sysctl).Trim() == "0" ? null : "net.ipv6.conf.lo.disable_ipv6 = 1";
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return Directory.Exists("/proc/sys/net/ipv6") ? null : "the kernel has no IPv6: /proc/sys/net/ipv6 is missing";
        }
    }
}
