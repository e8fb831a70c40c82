using System.Diagnostics;
using System.Globalization;
using System.Net;
using Capture.Init.Configuration;
using Capture.Init.Diff;
using Capture.Init.Explain;
using Capture.Init.Iptables;
using Capture.Init.Rules;
using Capture.Integration.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Capture.Integration.Tests.Explain;

/// <summary>
/// diff against a real namespace: the plan is loaded, then tampered with one rule at a time using iptables itself
/// (delete, insert a foreign rule, swap with the next one), and every tampering must show up as drift when the rules are
/// read back with iptables-save; undoing it must bring "no drift" back.
/// </summary>
public sealed class DiffTamperingTests
{
    private static readonly string[] s_foreignRule = ["-p", "tcp", "--dport", "2222", "-j", "RETURN"];

    private readonly ITestOutputHelper _output;

    public DiffTamperingTests(ITestOutputHelper output) => _output = output;

    [RequiresRootTheory(Tools = ["iptables", "ip6tables"])]
    [InlineData(nameof(InterceptionMode.Redirect))]
    [InlineData(nameof(InterceptionMode.TProxy))]
    public async Task Diff_EverySingleRuleDeletionInsertionAndSwap_ReportsDrift(string mode)
    {
        RuleOptions options = RuleOptions.Default with
        {
            InterceptionMode = Enum.Parse<InterceptionMode>(mode),
            OutboundAllCidrs = true,
            OutboundExcludeCidrs = [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd99::/64")],
            InboundAllPorts = true,
            LocalExcludePorts = [15090, 15021],
            OutboundExcludePorts = [9090],
            ExcludeInterfaces = ["eth9"],
            RedirectDns = true,
        };
        HostFacts host = new(Ipv6Enabled: true, DnsServers: [IPAddress.Parse("10.96.0.10"), IPAddress.Parse("fd00::10")], "/etc/resolv.conf");
        RuleSet plan = new CaptureRuleBuilder().Build(options, host);
        using TestNamespace ns = TestNamespace.Create("hxdiff");
        Load(ns, plan);
        ILiveRules live = new SystemLiveRules(NullLoggerFactory.Instance);
        // Detection once, then that backend for every read: one iptables-save per family and case instead of two.
        string backend = ns.Exec("iptables", "-V").EnsureSuccess().Stdout.Contains("nf_tables", StringComparison.Ordinal) ? "nft" : "legacy";
        RunOptions inNamespace = RunOptions.Default with { NetworkNamespace = ns.Path, ForceIptablesBinary = backend };
        var undetected = new List<string>();
        int cases = 0;
        Stopwatch stopwatch = Stopwatch.StartNew();

        (await DiffAsync()).Should().BeEmpty("the freshly loaded plan is what the plan says");
        foreach (IpFamily family in plan.Families)
        {
            string iptables = family == IpFamily.V4 ? "iptables" : "ip6tables";
            foreach (ChainState chain in plan.State(family).Chains)
            {
                string table = chain.Table.Name();
                for (int i = 0; i < chain.Rules.Count; i++)
                {
                    // IPv6 repeats IPv4's chains rule for rule: a third of its rules, and every IPv4 rule, keep the run short.
                    if (family == IpFamily.V6 && i % 3 != 1)
                    {
                        continue;
                    }

                    string position = (i + 1).ToString(CultureInfo.InvariantCulture);
                    string[] spec = [.. chain.Rules[i].SpecTokens()];

                    ns.Exec(iptables, ["-t", table, "-D", chain.Name, position]).EnsureSuccess();
                    await ExpectAsync($"{family} {table} {chain.Name} #{position} deleted", DifferenceKind.MissingRule);
                    ns.Exec(iptables, ["-t", table, "-I", chain.Name, position, .. spec]).EnsureSuccess();

                    ns.Exec(iptables, ["-t", table, "-I", chain.Name, position, .. s_foreignRule]).EnsureSuccess();
                    await ExpectAsync($"{family} {table} {chain.Name} foreign rule at #{position}", DifferenceKind.UnexpectedRule);
                    ns.Exec(iptables, ["-t", table, "-D", chain.Name, position]).EnsureSuccess();

                    if (i + 1 < chain.Rules.Count && !chain.Rules[i].Equals(chain.Rules[i + 1]))
                    {
                        string next = (i + 2).ToString(CultureInfo.InvariantCulture);
                        ns.Exec(iptables, ["-t", table, "-D", chain.Name, position]).EnsureSuccess();
                        ns.Exec(iptables, ["-t", table, "-I", chain.Name, next, .. spec]).EnsureSuccess();
                        await ExpectAsync($"{family} {table} {chain.Name} #{position} swapped with #{next}", DifferenceKind.MovedRule);
                        ns.Exec(iptables, ["-t", table, "-D", chain.Name, next]).EnsureSuccess();
                        ns.Exec(iptables, ["-t", table, "-I", chain.Name, position, .. spec]).EnsureSuccess();
                    }
                }
            }
        }

        IReadOnlyList<RuleDifference> after = await DiffAsync();
        _output.WriteLine($"{mode}: {cases} tamperings of {plan.Ipv4Rules.Count + plan.Ipv6Rules.Count} planned rules, {undetected.Count} undetected, {stopwatch.Elapsed.TotalSeconds:F1} s");
        undetected.Should().BeEmpty();
        after.Should().BeEmpty("every tampering was undone");
        cases.Should().BeGreaterThan(80);

        async Task<IReadOnlyList<RuleDifference>> DiffAsync()
        {
            var states = new Dictionary<IpFamily, IptablesState>();
            foreach (IpFamily family in plan.Families)
            {
                states[family] = await live.ReadAsync(family, inNamespace, CancellationToken.None);
            }

            return RuleSetDiffer.Compare(plan, family => states[family]).Differences;
        }

        async Task ExpectAsync(string what, DifferenceKind kind)
        {
            cases++;
            IReadOnlyList<RuleDifference> differences = await DiffAsync();
            if (!differences.Any(d => d.Kind == kind))
            {
                undetected.Add($"{what}: expected {kind}, got [{string.Join("; ", differences.Select(DiffTextWriter.Describe))}]");
            }
        }
    }

    [RequiresRootFact(Tools = ["iptables"])]
    public void DiffCommand_RealProcess_ExitCodesForAgreementDriftAndQuiet()
    {
        string[] flags = [.. CaptureInit.DefaultIstioInitArguments, "--ipv6", "false"];
        using TestNamespace ns = TestNamespace.Create("hxdiffcli");
        RuleSet plan = new CaptureRuleBuilder().Build(RuleOptions.Default with
        {
            OutboundAllCidrs = true,
            InboundAllPorts = true,
            LocalExcludePorts = [15090, 15021, 15020],
        }, HostFacts.None);

        ProcessResult missing = CaptureInit.RunTargeting(ns, ["diff", .. flags]);
        Load(ns, plan);
        ProcessResult clean = CaptureInit.RunTargeting(ns, ["diff", .. flags]);
        ns.Exec("iptables", "-t", "nat", "-D", "ISTIO_OUTPUT", "-m", "owner", "--uid-owner", "1337", "-j", "RETURN").EnsureSuccess();
        ProcessResult drift = CaptureInit.RunTargeting(ns, ["diff", .. flags]);
        ProcessResult quiet = CaptureInit.RunTargeting(ns, ["diff", .. flags, "--quiet"]);

        missing.ExitCode.Should().Be(2, missing.ToString());
        missing.Stdout.Should().Contain("missing chain ISTIO_OUTPUT");
        clean.ExitCode.Should().Be(0, clean.ToString());
        clean.Stdout.Should().StartWith("no drift");
        drift.ExitCode.Should().Be(2, drift.ToString());
        drift.Stdout.Should().Contain("missing     #4 -A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN");
        quiet.ExitCode.Should().Be(2);
        quiet.Stdout.Should().BeEmpty();
    }

    [RequiresRootFact(Tools = ["iptables"])]
    public void ExplainCommand_LiveInANamespace_ReadsItsRules()
    {
        using TestNamespace ns = TestNamespace.Create("hxexplain");
        Load(ns, new CaptureRuleBuilder().Build(RuleOptions.Default with { OutboundAllCidrs = true, OutboundExcludePorts = [9090] }, HostFacts.None));

        ProcessResult captured = CaptureInit.RunTargeting(ns, ["explain", "--live", "--dst", "10.1.2.3:8080"]);
        ProcessResult excluded = CaptureInit.RunTargeting(ns, ["explain", "--live", "--dst", "10.1.2.3:9090", "--output", "json"]);

        captured.ExitCode.Should().Be(0, captured.ToString());
        captured.Stdout.Should().EndWith("verdict: redirected to 15001 (outbound capture)\n");
        excluded.ExitCode.Should().Be(0, excluded.ToString());
        excluded.Stdout.Should().Contain("\"summary\": \"not captured: port 9090 is excluded (-o)\"");
    }

    private static void Load(TestNamespace ns, RuleSet plan)
    {
        ns.ExecWithInput(IptablesRestoreRenderer.Render(plan.Rules(IpFamily.V4)), "iptables-restore", "--noflush").EnsureSuccess();
        if (plan.Ipv6Enabled)
        {
            ns.ExecWithInput(IptablesRestoreRenderer.Render(plan.Rules(IpFamily.V6)), "ip6tables-restore", "--noflush").EnsureSuccess();
        }
    }
}
