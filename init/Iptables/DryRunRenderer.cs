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

    /// <summary>
    /// What <c>--cleanup-only --dry-run</c> prints: the clean-up payload per family and the routing deletions, for a
    /// namespace holding exactly this configuration. The real clean-up is computed from the live rules, so it leaves
    /// out what is absent and also removes ISTIO_* chains and guard rules of other runs; the first line says so.
    /// </summary>
    public static string RenderCleanup(RuleSet plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var text = new StringBuilder(2048);
        text.Append(CleanupNote).Append('\n');
        text.Append(Ipv4Header).Append('\n');
        IptablesState v4 = IptablesState.FromRules(plan.Ipv4Rules);
        text.Append(RestorePayloads.Cleanup(v4, v4, string.Empty));
        if (plan.Ipv6Enabled)
        {
            text.Append(Ipv6Header).Append('\n');
            IptablesState v6 = IptablesState.FromRules(plan.Ipv6Rules);
            text.Append(RestorePayloads.Cleanup(v6, v6, string.Empty));
        }

        foreach (RouteCommand command in plan.RouteCommands)
        {
            text.Append("# ").Append(command.ToDeleteString()).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The first line of a clean-up dry run.</summary>
    public const string CleanupNote =
        "# --cleanup-only would run (for a namespace holding this configuration; the real run reads the live rules first, skips what is absent and also removes other ISTIO_* chains and a reconcile guard):";
}
