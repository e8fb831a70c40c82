using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Init;

/// <summary>
/// Routing is part of the state that is checked, diffed, reconciled and cleaned (issue 11 item 5), with both backends,
/// in fresh namespaces: a TPROXY → REDIRECT switch removes the old <c>ip rule</c> and local route, <c>diff</c> reports a
/// missing planned rule and leftover TPROXY routing, <c>--cleanup-only</c> removes routing an earlier TPROXY
/// configuration left, and <c>--cleanup-only --dry-run</c> prints a clean-up that really removes the configuration.
/// </summary>
public sealed class RoutingStateTests
{
    private static readonly string[] s_tproxy = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "TPROXY", "-i", "*", "-b", "*", "--ipv6", "false"];
    private static readonly string[] s_redirect = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-b", "*", "--ipv6", "false"];

    public static TheoryData<bool> Backends() => [false, true];

    [RequiresRootTheory(Tools = ["nft", "iptables-nft-save"])]
    [MemberData(nameof(Backends))]
    public void SwitchTproxyToRedirect_ReconcileRemovesTheOldRouting_DiffSeesIt(bool nft)
    {
        using TestNamespace ns = TestNamespace.Create(nft ? "rtnft" : "rtipt");
        string[] tproxy = nft ? [.. s_tproxy, "--native-nftables"] : s_tproxy;
        string[] redirect = nft ? [.. s_redirect, "--native-nftables"] : s_redirect;

        string[] explain = ["explain", "--live", "--direction", "inbound", "--dst", "10.1.0.2:9080", .. nft ? ["--native-nftables"] : Array.Empty<string>()];

        CaptureInit.RunTargeting(ns, tproxy).EnsureSuccess();
        string routingBefore = Routing(ns);
        ProcessResult explained = CaptureInit.RunTargeting(ns, explain);
        ns.Ip("rule", "del", "fwmark", "1337", "lookup", "133").EnsureSuccess();
        ProcessResult explainedWithout = CaptureInit.RunTargeting(ns, explain);
        ProcessResult missing = CaptureInit.RunTargeting(ns, ["diff", .. tproxy]);
        ProcessResult repaired = CaptureInit.RunTargeting(ns, tproxy);
        ProcessResult current = CaptureInit.RunTargeting(ns, ["diff", .. tproxy]);
        ProcessResult switched = CaptureInit.RunTargeting(ns, [.. redirect, "--reconcile"]);
        string routingAfter = Routing(ns);
        ProcessResult diffAfter = CaptureInit.RunTargeting(ns, ["diff", .. redirect]);

        routingBefore.Should().Contain("fwmark 0x539 lookup 133").And.Contain("local default dev lo");
        explained.Stdout.Should().Contain("note: routing: 'ip rule add fwmark 1337 lookup 133' and 'ip route add local default dev lo table 133' are in place")
            .And.EndWith("verdict: TPROXY to 15006 (mark 1337)\n");
        explainedWithout.Stdout.Should().Contain("note: routing: no ip rule sends mark 1337 to a table with 'local default dev lo'");
        missing.ExitCode.Should().Be(2, missing.ToString());
        missing.Stdout.Should().Contain("routing: missing    'ip rule add fwmark 1337 lookup 133'");
        repaired.ExitCode.Should().Be(0, repaired.ToString());
        current.ExitCode.Should().Be(0, current.ToString());
        switched.ExitCode.Should().Be(0, switched.ToString());
        switched.Stderr.Should().Contain("removed TPROXY routing these flags do not have: 'ip rule del fwmark 1337 lookup 133', 'ip route del local default dev lo table 133'");
        routingAfter.Should().NotContain("fwmark").And.NotContain("local default");
        diffAfter.ExitCode.Should().Be(0, diffAfter.ToString());
    }

    [RequiresRootTheory(Tools = ["nft", "iptables-nft-save"])]
    [MemberData(nameof(Backends))]
    public void LeftoverTproxyRouting_DiffReportsIt_CleanupRemovesIt(bool nft)
    {
        using TestNamespace ns = TestNamespace.Create(nft ? "rcnft" : "rcipt");
        string[] redirect = nft ? [.. s_redirect, "--native-nftables"] : s_redirect;
        CaptureInit.RunTargeting(ns, redirect).EnsureSuccess();
        // What an earlier TPROXY configuration (or an older capture-init's switch to REDIRECT) left behind.
        ns.Ip("rule", "add", "fwmark", "1400", "lookup", "140").EnsureSuccess();
        ns.Ip("route", "add", "local", "default", "dev", "lo", "table", "140").EnsureSuccess();

        ProcessResult diff = CaptureInit.RunTargeting(ns, ["diff", .. redirect]);
        ProcessResult json = CaptureInit.RunTargeting(ns, ["diff", .. redirect, "--output", "json"]);
        ProcessResult cleanup = CaptureInit.RunTargeting(ns, [.. redirect, "--cleanup-only"]);
        ProcessResult diffAfter = CaptureInit.RunTargeting(ns, ["diff", .. redirect]);

        diff.ExitCode.Should().Be(2, diff.ToString());
        diff.Stdout.Should().Contain("routing: unexpected 'ip rule add fwmark 1400 lookup 140'").And.Contain("'ip route add local default dev lo table 140'");
        json.ExitCode.Should().Be(2, json.ToString());
        json.Stdout.Should().MatchRegex("\"routing\": ?\\[").And.Contain("fwmark 1400 lookup 140");
        cleanup.ExitCode.Should().Be(0, cleanup.ToString());
        Routing(ns).Should().NotContain("fwmark").And.NotContain("local default");
        diffAfter.ExitCode.Should().Be(2, "the rules are gone after the clean-up: " + diffAfter);
        diffAfter.Stdout.Should().NotContain("routing:");
    }

    [RequiresRootFact(Tools = ["iptables-nft-save", "iptables-nft-restore"])]
    public void CleanupOnlyDryRun_PrintedPayloadAndRoutingRemoveTheConfiguration()
    {
        using TestNamespace ns = TestNamespace.Create("rcdry");
        CaptureInit.RunTargeting(ns, s_tproxy).EnsureSuccess();

        ProcessResult dryRun = CaptureInit.RunTargeting(ns, [.. s_tproxy, "--cleanup-only", "--dry-run"]);
        string[] lines = dryRun.Stdout.Split('\n');
        string payload = string.Join('\n', lines.Where(l => !l.StartsWith('#'))) + "\n";
        ns.ExecWithInput(payload, "iptables-nft-restore", "--noflush").EnsureSuccess();
        foreach (string ip in lines.Where(l => l.StartsWith("# ip ", StringComparison.Ordinal)))
        {
            ns.Ip([.. ip["# ip ".Length..].Split(' ')]).EnsureSuccess();
        }

        dryRun.ExitCode.Should().Be(0, dryRun.ToString());
        dryRun.Stdout.Should().Contain("-X ISTIO_TPROXY").And.Contain("# ip rule del fwmark 1337 lookup 133");
        LiveRules.SaveText(ns).Should().NotContain("ISTIO");
        Routing(ns).Should().NotContain("fwmark").And.NotContain("local default");
    }

    private static string Routing(TestNamespace ns) =>
        ns.Ip("rule", "show").EnsureSuccess().Stdout + ns.Ip("route", "show", "table", "all").EnsureSuccess().Stdout;
}
