using System.Text;
using Capture.Init.Rules;

namespace Capture.Init.Iptables;

/// <summary>
/// What <c>--dry-run</c> prints: <c># iptables-restore --noflush</c> and the IPv4 payload; with IPv6 on,
/// <c># ip6tables-restore --noflush</c> and the IPv6 payload; then each routing change as <c># ip …</c>.
/// </summary>
internal static class DryRunRenderer
{
    /// <summary>The header line before the IPv4 payload.</summary>
    public const string Ipv4Header = "# iptables-restore --noflush";

    /// <summary>The header line before the IPv6 payload.</summary>
    public const string Ipv6Header = "# ip6tables-restore --noflush";

    public static string Render(RuleSet plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder(4096);
        text.Append(Ipv4Header).Append('\n');
        IptablesRestoreRenderer.Render(plan.Ipv4Rules, text);
        if (plan.Ipv6Enabled)
        {
            text.Append(Ipv6Header).Append('\n');
            IptablesRestoreRenderer.Render(plan.Ipv6Rules, text);
        }

        foreach (RouteCommand command in plan.RouteCommands)
        {
            text.Append("# ").Append(command.ToString()).Append('\n');
        }

        return text.ToString();
    }
}
