using System.Net;
using Capture.Init.Applying;
using Capture.Init.Cli;
using Capture.Init.Configuration;
using Capture.Init.Console;
using Capture.Init.Rules;
using Capture.Init.Tests.Fakes;

namespace Capture.Init.Tests.Cli;

[Collection(CliTestGroup.Name)]
public class CaptureCliTests
{
    private readonly CliHarness _cli = new();

    [Fact]
    public void Run_DryRun_PrintsPlanAndAppliesNothing()
    {
        CliRun run = _cli.Run("-i", "*", "-b", "*", "--dry-run", "--ipv6", "false");

        run.ExitCode.Should().Be(0);
        run.Out.Should().StartWith("# iptables-restore --noflush\n* nat\n-N ISTIO_INBOUND\n");
        run.Out.Should().NotContain("ip6tables");
        _cli.Applier.Calls.Should().Be(0);
    }

    [Fact]
    public void Run_CleanupOnlyDryRun_PrintsTheCleanupNotTheApplyPayload()
    {
        _cli.HostFactsReader = new FakeHostFactsReader(detectedIpv6: true);

        CliRun run = _cli.Run("-m", "TPROXY", "-i", "*", "-b", "*", "--cleanup-only", "--dry-run");
        CliRun nft = _cli.Run("-m", "TPROXY", "-i", "*", "-b", "*", "--cleanup-only", "--dry-run", "--native-nftables");

        run.ExitCode.Should().Be(0, run.Error);
        run.Out.Should().StartWith("# --cleanup-only would run").And.Contain("\n# iptables-restore --noflush\n*mangle\n-D PREROUTING -p tcp -j ISTIO_INBOUND\n")
            .And.Contain("-F ISTIO_OUTPUT\n").And.Contain("-X ISTIO_OUTPUT\n").And.Contain("# ip6tables-restore --noflush\n")
            .And.Contain("# ip rule del fwmark 1337 lookup 133\n# ip route del local default dev lo table 133\n")
            .And.EndWith("# ip -6 rule del fwmark 1337 lookup 133\n# ip -6 route del local default dev lo table 133\n");
        run.Out.Should().NotContain("\n-A ").And.NotContain(" add ");
        nft.ExitCode.Should().Be(0, nft.Error);
        nft.Out.Should().Contain("# nft -f -\nadd table inet istio-proxy-nat\ndelete table inet istio-proxy-nat\n")
            .And.Contain("delete table inet istio-proxy-raw\n").And.Contain("# ip -6 rule del fwmark 1337 lookup 133\n");
        nft.Out.Should().NotContain("add rule").And.NotContain("flush table");
        _cli.Applier.Calls.Should().Be(0);
    }

    [Fact]
    public void Run_DryRunIpv6Detected_PrintsBothPayloads()
    {
        _cli.HostFactsReader = new FakeHostFactsReader(detectedIpv6: true);

        CliRun run = _cli.Run("-i", "*", "-n");

        run.ExitCode.Should().Be(0);
        run.Out.Should().Contain("COMMIT\n# ip6tables-restore --noflush\n* nat\n");
        run.Out.Should().EndWith("COMMIT\n# ip -6 addr add ::6/128 dev lo\n");
    }

    [Fact]
    public void Run_DryRunTProxy_PrintsRoutingCommands()
    {
        CliRun run = _cli.Run("-m", "TPROXY", "-b", "*", "-n", "--ipv6=false");

        run.Out.Should().EndWith("COMMIT\n# ip rule add fwmark 1337 lookup 133\n# ip route add local default dev lo table 133\n");
    }

    [Fact]
    public void Run_NotDryRun_HandsResolvedOptionsAndPlanToApplier()
    {
        _cli.HostFactsReader = new FakeHostFactsReader(detectedIpv6: true, IPAddress.Parse("10.96.0.10"));
        _cli.Applier = new RecordingApplier(ExitCode.ValidationFailed);

        CliRun run = _cli.Run("-i", "*", "--redirect-dns", "--run-validation");

        run.ExitCode.Should().Be(126);
        _cli.Applier.Calls.Should().Be(1);
        _cli.Applier.Plan!.Ipv6Enabled.Should().BeTrue();
        _cli.Applier.Plan.Ipv4Rules.Should().Contain(r => r.ToRestoreLine().Contains("-d 10.96.0.10/32", StringComparison.Ordinal));
        _cli.Applier.Options!.Run.RunValidation.Should().BeTrue();
        _cli.Applier.Plan!.Chain("ISTIO_OUTPUT_DNS", table: Table.Nat).Rules.Should().HaveCount(2);
    }

    [Fact]
    public void Run_NetworkNamespace_FactsAreReadInsideIt()
    {
        CliRun run = _cli.Run("--network-namespace", "/var/run/netns/pod", "-n");

        run.ExitCode.Should().Be(0);
        _cli.NamespaceRunner.Paths.Should().Equal("/var/run/netns/pod");
    }

    [Fact]
    public async Task Run_ApplierThrowsCaptureException_OneLineAndItsExitCode()
    {
        var services = new CaptureCliServices(new BufferedConsole(), new FakeProcessEnvironment(), new FakeHostFactsReader(), new RecordingNamespaceRunner(),
            _ => new ThrowingApplier(new CaptureException("iptables-restore failed: line 3: bad rule", ExitCode.Failure)));
        using var console = (BufferedConsole)services.Console;

        int exitCode = await CaptureCli.RunAsync(["-i", "*"], services);

        exitCode.Should().Be(1);
        console.ErrorText.Should().Be("capture-init: iptables-restore failed: line 3: bad rule\n");
    }

    [Fact]
    public async Task Run_ApplierThrowsUnexpected_LoggedWithStackTraceExit1()
    {
        using var console = new BufferedConsole();
        var services = new CaptureCliServices(console, new FakeProcessEnvironment(), new FakeHostFactsReader(), new RecordingNamespaceRunner(),
            _ => new ThrowingApplier(new InvalidOperationException("boom")));

        int exitCode = await CaptureCli.RunAsync(["-i", "*"], services);

        exitCode.Should().Be(1);
        console.ErrorText.Should().Contain("error\tcapture-init failed unexpectedly").And.Contain("InvalidOperationException: boom").And.Contain("   at ");
    }

    [Fact]
    public void Run_DnsWithoutServers_WarnsOnStderr()
    {
        CliRun run = _cli.Run("--redirect-dns", "-n", "--ipv6=false");

        run.ExitCode.Should().Be(0);
        run.Error.Should().MatchRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\twarn\tDNS capture is off: ");
    }

    [Fact]
    public void Run_LogAsJson_WarningIsJson()
    {
        CliRun run = _cli.Run("--redirect-dns", "-n", "--ipv6=false", "--log_as_json");

        run.ErrorLines.Should().ContainSingle().Which.Should().StartWith("{\"level\":\"warn\",\"time\":\"").And.Contain("\"msg\":\"DNS capture is off");
    }

    [Fact]
    public void Run_LogLevelError_HidesWarnings()
    {
        CliRun run = _cli.Run("--redirect-dns", "-n", "--ipv6=false", "--log_output_level=default:error");

        run.Error.Should().BeEmpty();
    }

    [Fact]
    public void Run_LogLevelDebug_ShowsPlanSummary()
    {
        CliRun run = _cli.Run("-n", "--ipv6=false", "--log_output_level", "debug");

        run.Error.Should().Contain("debug\tPlan: ");
    }

    [Fact]
    public void Run_Help_GroupedWithEnvironmentAndDefaults()
    {
        CliRun run = _cli.Run("--help");

        run.ExitCode.Should().Be(0);
        run.Out.Should().Contain("Usage: capture-init [istio-iptables] [options]");
        foreach (CliFlag flag in CaptureCliOptions.All)
        {
            run.Out.Should().Contain(flag.LongName);
            foreach (string name in flag.Environment)
            {
                run.Out.Should().Contain(name);
            }
        }

        run.Out.Should().Contain("Inbound capture:\n  -m, --istio-inbound-interception-mode MODE  ");
        run.Out.Should().Contain("(env ISTIO_INBOUND_PORTS; default: none (no inbound capture))");
        run.Out.Should().Contain("ISTIO_OUTBOUND_OWNER_GROUPS").And.Contain("Exit codes: 0 success");
        _cli.Applier.Calls.Should().Be(0);
    }

    [Fact]
    public void Run_Help_StillListsTheApplyOnlyFlags()
    {
        CliRun run = _cli.Run("--help");

        run.Out.Should().Contain("\nApplying:\n  -n, --dry-run ")
            .And.Contain("\nValidation (self-test after applying):\n      --run-validation ")
            .And.Contain("\n      --cleanup-only ")
            .And.Contain("\n      --native-nftables ");
        run.Out.Should().NotContain("Capture flags: the same as capture-init's", "that sentence is the subcommands' help");
    }

    [Fact]
    public void Run_HelpWithOtherFlags_StillHelp()
    {
        CliRun run = _cli.Run("-p", "15001", "-h");

        run.ExitCode.Should().Be(0);
        run.Out.Should().Contain("Usage: capture-init");
    }

    private sealed class ThrowingApplier(Exception exception) : ICaptureApplier
    {
        public Task<ExitCode> RunAsync(CaptureOptions options, RuleSet plan, CancellationToken cancellationToken) => throw exception;
    }
}
