using Capture.Init.Applying;
using Capture.Init.Configuration;
using Capture.Init.Nftables;
using Capture.Init.Rules;
using Capture.Init.Tests.Iptables;
using Capture.Init.Tests.Nftables;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Init.Tests.Applying;

/// <summary>The --native-nftables run against a scripted nft: which processes, which transaction, which errors.</summary>
public class CaptureApplierNftablesTests
{
    private static readonly CaptureOptions s_options = CaptureOptions.Default with { Run = RunOptions.Default with { NativeNftables = true } };
    private static readonly RuleSet s_plan = new CaptureRuleBuilder().Build(s_options.Rules, HostFacts.None);
    private static readonly string s_transaction = NftTransactionRenderer.Render(new NftPlanBuilder().Build(s_options.Rules, HostFacts.None));
    private static readonly string s_current = File.ReadAllText(Path.Combine(NftJsonParserTests.FixtureDirectory, "empty.json"));
    private const string Version = "nftables v1.0.6 (Lester Gooch #5)\n";

    [Fact]
    public async Task RunAsync_CleanNamespace_VersionListAndOneTransaction()
    {
        FakeIptablesRunner runner = Nft().On("nft", stdout: "{\"nftables\": [{\"metainfo\": {}}]}", when: IsList);

        ExitCode code = await Run(runner, s_options);

        code.Should().Be(ExitCode.Success);
        runner.Invocations.Where(i => i.File == "nft").Select(i => i.ToString()).Should().Equal("nft --version", "nft -j list ruleset", "nft -f -");
        runner.Invocations.Last(i => i.File == "nft").Stdin.Should().Be(s_transaction);
    }

    [Fact]
    public async Task RunAsync_AlreadyCurrent_AppliesNothing()
    {
        FakeIptablesRunner runner = Nft().On("nft", stdout: s_current, when: IsList);

        ExitCode code = await Run(runner, s_options);

        code.Should().Be(ExitCode.Success);
        runner.Invocations.Should().NotContain(i => i.File == "nft" && i.Arguments.Contains("-f"));
    }

    [Fact]
    public async Task RunAsync_Drift_NamesTheRuleAndChangesNothing()
    {
        FakeIptablesRunner runner = Nft().On("nft", stdout: s_current, when: IsList);

        Func<Task> act = () => Run(runner, s_options with { Rules = s_options.Rules with { OutboundPorts = [3306] } });

        (await act.Should().ThrowAsync<CaptureException>()).Which.Message.Should()
            .Contain("differ from the plan; rerun with --reconcile").And.Contain("missing     #8 tcp dport 3306 counter jump istio-redirect");
        runner.Invocations.Should().NotContain(i => i.Arguments.Contains("-f"));
    }

    [Fact]
    public async Task RunAsync_ReconcileDrift_DeletesAndRewritesTheTablesInOneTransaction()
    {
        FakeIptablesRunner runner = Nft().On("nft", stdout: s_current, when: IsList);
        CaptureOptions options = s_options with { Rules = s_options.Rules with { OutboundPorts = [3306] }, Run = s_options.Run with { Reconcile = true } };

        await Run(runner, options);

        string transaction = runner.Invocations.Single(i => i.Arguments.Contains("-f")).Stdin!;
        transaction.Should().Be("add table inet istio-proxy-nat\ndelete table inet istio-proxy-nat\n"
            + NftTransactionRenderer.Render(new NftPlanBuilder().Build(options.Rules, HostFacts.None)));
    }

    [Fact]
    public async Task RunAsync_CleanupOnly_AddsThenDeletesAllThreeTables()
    {
        FakeIptablesRunner runner = Nft().On("nft", stdout: s_current, when: IsList);

        await Run(runner, s_options with { Run = s_options.Run with { CleanupOnly = true } });

        runner.Invocations.Single(i => i.Arguments.Contains("-f")).Stdin.Should().Be(
            "add table inet istio-proxy-nat\ndelete table inet istio-proxy-nat\n"
            + "add table inet istio-proxy-mangle\ndelete table inet istio-proxy-mangle\n"
            + "add table inet istio-proxy-raw\ndelete table inet istio-proxy-raw\n");
    }

    [Fact]
    public async Task RunAsync_NftMissing_OneClearLine()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner().On("nft", exitCode: 127, stderr: "nft: No such file or directory");

        Func<Task> act = () => Run(runner, s_options);

        (await act.Should().ThrowAsync<CaptureException>()).Which.Message.Should()
            .Be("--native-nftables is on, but the nft binary is missing in this image (install nftables): nft: No such file or directory");
    }

    [Fact]
    public async Task RunAsync_NftTooOld_Refused()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner().On("nft", stdout: "nftables v1.0.0 (Fearless Fosdick #2)\n");

        Func<Task> act = () => Run(runner, s_options);

        (await act.Should().ThrowAsync<CaptureException>()).Which.Message.Should().StartWith("--native-nftables needs nft 1.0.1 or later; this nft is 1.0.0");
        runner.Invocations.Should().ContainSingle();
    }

    [Fact]
    public async Task RunAsync_IptablesRulesOfAnEarlierRun_SaysBothWouldCapture()
    {
        const string Listing = """{"nftables": [{"chain": {"family": "ip", "table": "nat", "name": "ISTIO_OUTPUT"}}]}""";
        FakeIptablesRunner runner = Nft().On("nft", stdout: Listing, when: IsList);

        Func<Task> act = () => Run(runner, s_options);

        (await act.Should().ThrowAsync<CaptureException>()).Which.Message.Should()
            .Contain("iptables capture rules of an earlier run are loaded too (ip nat ISTIO_OUTPUT (iptables-nft))")
            .And.Contain("both sets would capture; --reconcile removes the iptables ones");
    }

    [Fact]
    public async Task RunAsync_RoutingFailsAfterTheTables_RollbackNamesTheNftTables()
    {
        CaptureOptions tproxy = s_options with { Rules = s_options.Rules with { InterceptionMode = InterceptionMode.TProxy, InboundAllPorts = true } };
        FakeIptablesRunner runner = Nft().On("nft", stdout: "{\"nftables\": [{\"metainfo\": {}}]}", when: IsList)
            .On("ip", exitCode: 1, stderr: "Error: Nexthop device is not up.\nCommand failed -:3\n", when: i => i.Stdin!.StartsWith("rule del", StringComparison.Ordinal));

        Func<Task> act = () => new CaptureApplier(NullLogger.Instance, _ => runner, TimeProvider.System, TimeSpan.Zero, _ => false, (_, _) => null, lockNamespace: false)
            .RunAsync(tproxy, new CaptureRuleBuilder().Build(tproxy.Rules, HostFacts.None), CancellationToken.None);

        string message = (await act.Should().ThrowAsync<CaptureException>()).Which.Message;
        message.Should().Contain("the routing step 'ip route replace local default dev lo table 133' failed")
            .And.Contain("rolled back: the nft tables and routing this run added were removed").And.NotContain("iptables");
        runner.Invocations.Last(i => i.File == "nft").Stdin.Should().Contain("delete table inet istio-proxy-mangle");
    }

    private static bool IsList(FakeIptablesRunner.Invocation invocation) => invocation.Arguments.Contains("list");

    private static FakeIptablesRunner Nft() => new FakeIptablesRunner().On("nft", stdout: Version, when: i => i.Arguments.Contains("--version"));

    private static Task<ExitCode> Run(FakeIptablesRunner runner, CaptureOptions options)
        => new CaptureApplier(NullLogger.Instance, _ => runner, TimeProvider.System, TimeSpan.Zero, _ => false).RunAsync(options, s_plan, CancellationToken.None);
}
