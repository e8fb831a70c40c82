using System.CommandLine;
using Capture.Init.Cli;
using Capture.Init.Console;
using Capture.Init.Tests.Fakes;

namespace Capture.Init.Tests.Cli;

/// <summary>
/// Subcommand help and the apply-only flags: explain and diff list exactly the flags they read and refuse the others.
/// Apply's own help is covered in <see cref="CaptureCliTests"/>.
/// </summary>
[Collection(CliTestGroup.Name)]
public class CaptureHelpTests
{
    private readonly CliHarness _cli = new();

    public static TheoryData<string> Subcommands => new() { ExplainCommand.Name, DiffCommand.Name };

    [Theory]
    [MemberData(nameof(Subcommands))]
    public void Help_Subcommand_ListsTheFlagsItReadsAndNoApplyOnlyFlag(string subcommand)
    {
        CliRun run = _cli.Run(subcommand, "--help");

        run.ExitCode.Should().Be(0);
        run.Out.Should().StartWith($"capture-init {subcommand}: ").And.Contain($"\nUsage: capture-init {subcommand} ");
        foreach (CliFlag flag in CaptureCliOptions.All)
        {
            if (flag.ApplyOnly)
            {
                run.Out.Should().NotContain(flag.LongName, "{0} only matters when applying", flag.LongName);
                foreach (string name in flag.Environment)
                {
                    run.Out.Should().NotContain(name);
                }
            }
            else
            {
                run.Out.Should().Contain(flag.LongName);
            }
        }

        run.Out.Should().NotContain("Applying:").And.NotContain("Validation (self-test after applying):");
        _cli.Applier.Calls.Should().Be(0);
    }

    [Theory]
    [MemberData(nameof(Subcommands))]
    public void Help_Subcommand_ListsEveryOptionOfItsOwn(string subcommand)
    {
        using var console = new BufferedConsole();
        var services = new CaptureCliServices(console, _cli.Environment, _cli.HostFactsReader, _cli.NamespaceRunner, _ => _cli.Applier);
        Command command = CaptureCli.CreateRootCommand(services).Subcommands.Single(c => c.Name == subcommand);
        var catalog = CaptureCliOptions.All.Select(flag => flag.Option).ToHashSet<Option>();
        string[] own = command.Options.Where(option => !catalog.Contains(option)).Select(option => option.Name).ToArray();

        CliRun run = _cli.Run(subcommand, "--help");

        own.Should().NotBeEmpty();
        foreach (string name in own)
        {
            run.Out.Should().Contain("\n  " + name, "every option {0} takes is in its help", subcommand);
        }
    }

    [Fact]
    public void Help_Explain_ReadsAsExplainsHelp()
    {
        CliRun run = _cli.Run("explain", "-h");

        run.Out.Should().Contain("Usage: capture-init explain --dst ADDRESS:PORT [connection options] [capture flags] [--output text|json]\n")
            .And.Contain("\nConnection:\n  --dst ADDRESS:PORT ")
            .And.Contain("\n  --live ")
            .And.EndWith("\nExit codes: 0 explained (whatever the verdict), 1 any error.\n");
        run.Out.Should().NotContain("Description:", "System.CommandLine's help layout is not used");
    }

    [Fact]
    public void Help_Diff_ShowsItsExitCodes()
    {
        CliRun run = _cli.Run("diff", "--help");

        run.Out.Should().Contain("\n  --quiet ").And.EndWith("\nExit codes: 0 the live rules agree with the plan, 2 they drift, 1 any error.\n");
    }

    [Theory]
    [InlineData(new[] { "explain", "--dst", "10.1.2.3:80", "--dry-run" }, "-n/--dry-run does not apply to 'capture-init explain'")]
    [InlineData(new[] { "explain", "--dst", "10.1.2.3:80", "-n" }, "-n/--dry-run does not apply to 'capture-init explain'")]
    [InlineData(new[] { "explain", "--probe-timeout", "5s", "--dst", "10.1.2.3:80" }, "--probe-timeout does not apply to 'capture-init explain'")]
    [InlineData(new[] { "explain", "--dst", "10.1.2.3:80", "--run-validation=false" }, "--run-validation does not apply to 'capture-init explain'")]
    [InlineData(new[] { "--reconcile", "explain", "--dst", "10.1.2.3:80" }, "--reconcile does not apply to 'capture-init explain'")]
    [InlineData(new[] { "diff", "--cleanup-only" }, "--cleanup-only does not apply to 'capture-init diff'")]
    [InlineData(new[] { "diff", "--force-apply" }, "--force-apply does not apply to 'capture-init diff'")]
    public void Run_ApplyOnlyFlagOnSubcommand_OneLineErrorAndExit1(string[] args, string error)
    {
        CliRun run = _cli.Run(args);

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal("capture-init: " + error + ": it only matters when applying rules");
        run.Out.Should().BeEmpty();
        _cli.Applier.Calls.Should().Be(0);
    }

    [Fact]
    public void Run_ApplyOnlyEnvironmentOnExplain_Ignored()
    {
        _cli.Environment.Set("RECONCILE", "maybe").Set("PROBE_TIMEOUT", "soon").Set("DRY_RUN", "true");

        CliRun explain = _cli.Run("explain", "--ipv6", "false", "--dst", "10.1.2.3:80");
        CliRun apply = _cli.Run("--ipv6", "false");

        explain.ExitCode.Should().Be(0, explain.Error);
        explain.Out.Should().Contain("verdict: ");
        apply.ExitCode.Should().Be(1, "apply does read these variables");
        apply.Error.Should().Contain("--probe-timeout");
    }

    [Fact]
    public void Run_ExplainWithTheApplyFlagsItReads_Accepted()
    {
        CliRun run = _cli.Run(
            "explain", "--ipv6", "false", "--drop-invalid", "--force-iptables-binary", "nft", "--network-namespace", "/var/run/netns/pod1",
            "--dst", "10.1.2.3:80");

        run.ExitCode.Should().Be(0, run.Error);
        _cli.NamespaceRunner.Paths.Should().Equal("/var/run/netns/pod1");
    }
}
