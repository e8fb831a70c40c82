using Capture.Init.Nftables;
using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Init;

/// <summary>
/// <c>--native-nftables</c> against the real nft in fresh namespaces: every golden loads with <c>nft -f</c> and reads
/// back as planned; apply, re-apply, drift, reconcile, clean-up; a configuration that no longer needs a table; rules of
/// an earlier iptables run.
/// </summary>
public sealed class NftablesTests
{
    private static readonly string[] s_defaults = [.. CaptureInit.DefaultIstioInitArguments, "--native-nftables", "--ipv6", "false"];

    public static TheoryData<string> Goldens()
    {
        TheoryData<string> data = [];
        foreach (string file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "NftGolden"), "*.golden").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Fact]
    public void Goldens_AreCopiedToTheOutput()
    {
        Goldens().Should().HaveCount(28, "the 28 configurations of NFTABLES.md's table");
    }

    [RequiresRootTheory(Tools = ["nft"])]
    [MemberData(nameof(Goldens))]
    public void Golden_LoadsWithRealNft_AndReadsBackAsPlanned(string name)
    {
        string golden = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "NftGolden", name + ".golden"));
        string listing = Path.Combine(AppContext.BaseDirectory, "NftListing", name + ".json");
        using TestNamespace ns = TestNamespace.Create("nftgold");

        ProcessResult loaded = ns.ExecWithInput(golden, "nft", "-f", "-");

        if (!File.Exists(listing))
        {
            // Istio's owner-group goldens name groups (java, ftp); nft resolves names when it loads, so they load only
            // where those groups exist.
            golden.Should().MatchRegex(@"skgid (!= )?[a-z]", "only the group-name cases have no recorded listing");
            if (loaded.ExitCode != 0)
            {
                loaded.Stderr.Should().Contain("Group does not exist");
                return;
            }
        }

        loaded.ExitCode.Should().Be(0, loaded.ToString());
        NftLiveRuleset live = NftJsonParser.Parse(ns.Exec("nft", "-j", "list", "ruleset").EnsureSuccess().Stdout);
        int ruleLines = golden.Split('\n').Count(l => l.StartsWith("add rule ", StringComparison.Ordinal) || l.StartsWith("insert rule ", StringComparison.Ordinal));
        live.State.Chains.Sum(c => c.Rules.Count).Should().Be(ruleLines);
        if (File.Exists(listing))
        {
            // The recorded listing parses to the plan (Capture.Init.Tests); this nft must read the golden the same way.
            NftState recorded = NftJsonParser.Parse(File.ReadAllText(listing)).State;
            NftDiffer.Compare(recorded, live.State).Should().BeEmpty("nft -j list ruleset after loading {0}", name);
        }
    }

    [RequiresRootFact(Tools = ["nft"])]
    public void Apply_TwiceDriftReconcileCleanup_BehavesAsTheIptablesPath()
    {
        using TestNamespace ns = TestNamespace.Create("nftlife");

        ProcessResult first = CaptureInit.RunTargeting(ns, s_defaults);
        ProcessResult second = CaptureInit.RunTargeting(ns, s_defaults);
        string handle = ns.Exec("nft", "-a", "list", "chain", "inet", "istio-proxy-nat", "istio-redirect").EnsureSuccess().Stdout
            .Split('\n').Single(l => l.Contains("redirect to :15001", StringComparison.Ordinal)).Split("# handle ")[1].Trim();
        ns.Exec("nft", "delete", "rule", "inet", "istio-proxy-nat", "istio-redirect", "handle", handle).EnsureSuccess();
        ProcessResult diff = CaptureInit.RunTargeting(ns, ["diff", .. s_defaults]);
        ProcessResult drifted = CaptureInit.RunTargeting(ns, s_defaults);
        ProcessResult reconciled = CaptureInit.RunTargeting(ns, [.. s_defaults, "--reconcile"]);
        ProcessResult diffAfter = CaptureInit.RunTargeting(ns, ["diff", .. s_defaults]);
        ProcessResult third = CaptureInit.RunTargeting(ns, s_defaults);
        ProcessResult cleanup = CaptureInit.RunTargeting(ns, [.. s_defaults, "--cleanup-only"]);
        ProcessResult cleanupAgain = CaptureInit.RunTargeting(ns, [.. s_defaults, "--cleanup-only"]);

        first.ExitCode.Should().Be(0, first.ToString());
        first.Stderr.Should().Contain("applied 18 rules in 1 table via nft");
        second.ExitCode.Should().Be(0, second.ToString());
        second.Stderr.Should().Contain("18 rules already current");
        diff.ExitCode.Should().Be(2, diff.ToString());
        diff.Stdout.Should().Contain("istio-proxy-nat istio-redirect: missing     #0 meta l4proto tcp counter redirect to :15001");
        drifted.ExitCode.Should().Be(1, drifted.ToString());
        drifted.Stderr.Should().Contain("differ from the plan; rerun with --reconcile");
        reconciled.ExitCode.Should().Be(0, reconciled.ToString());
        reconciled.Stderr.Should().Contain("reconciled 1 differences");
        diffAfter.ExitCode.Should().Be(0, diffAfter.ToString());
        third.Stderr.Should().Contain("already current");
        cleanup.ExitCode.Should().Be(0, cleanup.ToString());
        cleanup.Stderr.Should().Contain("removed tables istio-proxy-nat");
        cleanupAgain.ExitCode.Should().Be(0, cleanupAgain.ToString());
        cleanupAgain.Stderr.Should().Contain("nothing to clean up");
        ns.Exec("nft", "list", "tables").EnsureSuccess().Stdout.Should().NotContain("istio-proxy-");
    }

    [RequiresRootFact(Tools = ["nft", "iptables-nft-save"])]
    public void ExplainLive_NativeNftables_WalksTheLoadedTables()
    {
        using TestNamespace ns = TestNamespace.Create("nftexpl");
        string[] live = ["explain", "--native-nftables", "--live", "--network-namespace", ns.Path];

        ProcessResult empty = CaptureInit.Run([.. live, "--dst", "10.1.2.3:8080"]);
        CaptureInit.RunTargeting(ns, [.. s_defaults, "-o", "9090"]).EnsureSuccess();
        ProcessResult captured = CaptureInit.Run([.. live, "--dst", "10.1.2.3:8080"]);
        ProcessResult proxy = CaptureInit.Run([.. live, "--dst", "10.1.2.3:8080", "--uid", "1337"]);
        ProcessResult excluded = CaptureInit.Run([.. live, "--dst", "10.1.2.3:9090", "--output", "json"]);
        ProcessResult ipv6 = CaptureInit.Run([.. live, "--dst", "[fd00::1]:80"]);
        ns.Exec("iptables-nft", "-t", "nat", "-N", "ISTIO_OUTPUT").EnsureSuccess();
        ProcessResult both = CaptureInit.Run([.. live, "--dst", "10.1.2.3:8080"]);

        empty.ExitCode.Should().Be(0, empty.ToString());
        empty.Stdout.Should().Contain("note: no Istio nft tables are loaded in this namespace").And.Contain("verdict: not captured");
        captured.ExitCode.Should().Be(0, captured.ToString());
        captured.Stdout.Should().Contain("  istio-proxy-nat output\n").And.Contain("counter jump istio-redirect")
            .And.EndWith("verdict: redirected to 15001 (outbound capture)\n");
        proxy.Stdout.Should().EndWith("verdict: bypassed: owner UID 1337\n");
        excluded.ExitCode.Should().Be(0, excluded.ToString());
        excluded.Stdout.Should().Contain("\"backend\": \"nftables\"").And.Contain("\"summary\": \"not captured: port 9090 is excluded (-o)\"");
        // --ipv6 false planned no ip6 rule, but the inet table's family-neutral rules still redirect IPv6.
        ipv6.Stdout.Should().EndWith("verdict: redirected to 15001 (outbound capture)\n");
        both.Stdout.Should().Contain("iptables capture rules are loaded as well (ip nat ISTIO_OUTPUT)");
    }

    [RequiresRootFact(Tools = ["nft"])]
    public void Reconcile_ConfigurationWithoutDns_RemovesTheRawTable()
    {
        using TestNamespace ns = TestNamespace.Create("nftdrop");
        using TemporaryDirectory directory = TemporaryDirectory.Create();
        string resolvConf = Path.Combine(directory.Path, "resolv.conf");
        File.WriteAllText(resolvConf, "nameserver 10.96.0.10\n");
        string[] withDns = [.. s_defaults, "--redirect-dns", "--resolv-conf", resolvConf];

        CaptureInit.RunTargeting(ns, withDns).EnsureSuccess();
        string before = ns.Exec("nft", "list", "tables").EnsureSuccess().Stdout;
        ProcessResult changed = CaptureInit.RunTargeting(ns, s_defaults);
        ProcessResult reconciled = CaptureInit.RunTargeting(ns, [.. s_defaults, "--reconcile"]);
        string after = ns.Exec("nft", "list", "tables").EnsureSuccess().Stdout;

        before.Should().Contain("table inet istio-proxy-raw");
        changed.ExitCode.Should().Be(1, changed.ToString());
        changed.Stderr.Should().Contain("unexpected table inet istio-proxy-raw");
        reconciled.ExitCode.Should().Be(0, reconciled.ToString());
        after.Should().Contain("table inet istio-proxy-nat").And.NotContain("istio-proxy-raw");
        CaptureInit.RunTargeting(ns, ["diff", .. s_defaults]).ExitCode.Should().Be(0);
    }

    [RequiresRootFact(Tools = ["nft", "iptables-nft-save"])]
    public void NativeNftables_AfterAnIptablesRun_SaysBothWouldCapture_AndReconcileRemovesTheIptablesRules()
    {
        using TestNamespace ns = TestNamespace.Create("nftmig");
        string[] iptables = [.. CaptureInit.DefaultIstioInitArguments, "--ipv6", "false"];
        CaptureInit.RunTargeting(ns, iptables).EnsureSuccess();

        ProcessResult refused = CaptureInit.RunTargeting(ns, s_defaults);
        string tablesAfterRefusal = ns.Exec("nft", "list", "tables").EnsureSuccess().Stdout;
        ProcessResult diff = CaptureInit.RunTargeting(ns, ["diff", .. s_defaults]);
        ProcessResult reconciled = CaptureInit.RunTargeting(ns, [.. s_defaults, "--reconcile"]);
        ProcessResult again = CaptureInit.RunTargeting(ns, s_defaults);

        refused.ExitCode.Should().Be(1, refused.ToString());
        refused.Stderr.Should().Contain("iptables capture rules of an earlier run are loaded too (ip nat ISTIO_INBOUND (iptables-nft)")
            .And.Contain("both sets would capture; --reconcile removes the iptables ones");
        tablesAfterRefusal.Should().NotContain("istio-proxy-", "a refused run changes nothing");
        diff.ExitCode.Should().Be(2, diff.ToString());
        diff.Stdout.Should().Contain("iptables chain ip nat ISTIO_OUTPUT");
        reconciled.ExitCode.Should().Be(0, reconciled.ToString());
        reconciled.Stderr.Should().Contain("iptables IPv4: cleaned up (iptables-nft)");
        ns.Exec("iptables-nft-save").EnsureSuccess().Stdout.Should().NotContain("ISTIO_");
        ns.Exec("nft", "list", "tables").EnsureSuccess().Stdout.Should().Contain("table inet istio-proxy-nat");
        again.ExitCode.Should().Be(0, again.ToString());
        again.Stderr.Should().Contain("already current");
    }
}
