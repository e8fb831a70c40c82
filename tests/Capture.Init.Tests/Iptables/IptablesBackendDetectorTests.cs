using Capture.Init.Iptables;
using Capture.Init.Rules;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Init.Tests.Iptables;

public class IptablesBackendDetectorTests
{
    private const string LegacyWithRules = "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j RETURN\nCOMMIT\n";

    [Fact]
    public async Task DetectAsync_FreshNamespace_ChoosesNftFromTwoSavesWithoutProbing()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner().On("iptables-nft-save", stdout: "*nat\nCOMMIT\n");

        BackendSelection selection = await Detect(runner, IpFamily.V4);

        selection.Backend.Should().Be(IptablesBackend.Nft(IpFamily.V4));
        selection.SaveOutput.Should().Be("*nat\nCOMMIT\n");
        runner.Invocations.Select(i => i.File).Should().BeEquivalentTo("iptables-legacy-save", "iptables-nft-save");
    }

    [Fact]
    public async Task DetectAsync_LegacyHoldsRules_ProbesLegacyOnceAndChoosesIt()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner().On("iptables-legacy-save", stdout: LegacyWithRules);

        BackendSelection selection = await Detect(runner, IpFamily.V4);

        selection.Backend.Name.Should().Be("legacy");
        selection.SaveOutput.Should().Be(LegacyWithRules);
        FakeIptablesRunner.Invocation probe = runner.Invocations.Single(i => i.File == "iptables-legacy-restore");
        probe.Arguments.Should().Equal("--noflush", "--wait=2");
        probe.Stdin.Should().Be(IptablesBackendDetector.ProbePayload);
    }

    [Fact]
    public async Task DetectAsync_LegacyHoldsRulesButCannotWrite_ChoosesNft()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner()
            .On("iptables-legacy-save", stdout: LegacyWithRules)
            .On("iptables-legacy-restore", exitCode: 1, stderr: "iptables-restore: unable to initialize table 'nat'");

        BackendSelection selection = await Detect(runner, IpFamily.V4);

        selection.Backend.Name.Should().Be("nft");
    }

    [Fact]
    public async Task DetectAsync_LegacyWithTwoLines_IsNotInUse()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner().On("iptables-legacy-save", stdout: "# Generated\n*nat\n");

        BackendSelection selection = await Detect(runner, IpFamily.V4);

        selection.Backend.Name.Should().Be("nft");
        runner.Invocations.Should().NotContain(i => i.File == "iptables-legacy-restore");
    }

    [Fact]
    public async Task DetectAsync_NftMissing_FallsBackToPlainIptablesAfterProbe()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner()
            .On("iptables-nft-save", exitCode: CommandResult.NotFoundExitCode, stderr: "not found")
            .On("iptables-save", stdout: "*filter\nCOMMIT\n");

        BackendSelection selection = await Detect(runner, IpFamily.V4);

        selection.Backend.Iptables.Should().Be("iptables");
        runner.Invocations.Should().Contain(i => i.File == "iptables-restore" && i.Stdin == IptablesBackendDetector.ProbePayload);
    }

    [Fact]
    public async Task DetectAsync_NothingWorks_ThrowsWithEachError()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner()
            .On("ip6tables-nft-save", exitCode: 1, stderr: "nf_tables: not supported")
            .On("ip6tables-save", exitCode: CommandResult.NotFoundExitCode, stderr: "ip6tables-save: not found");

        Func<Task> act = () => Detect(runner, IpFamily.V6);

        (await act.Should().ThrowAsync<CaptureException>()).Which.Message.Should()
            .StartWith("no working ip6tables here").And.Contain("nf_tables: not supported").And.Contain("ip6tables-save: not found");
    }

    [Theory]
    [InlineData("legacy", "ip6tables-legacy-save")]
    [InlineData("nft", "ip6tables-nft-save")]
    public async Task DetectAsync_Forced_ReadsOnlyThatBackend(string forced, string save)
    {
        FakeIptablesRunner runner = new FakeIptablesRunner().On(save, stdout: LegacyWithRules);

        BackendSelection selection = await new IptablesBackendDetector(new IptablesCommands(runner), NullLogger.Instance).DetectAsync(IpFamily.V6, forced, CancellationToken.None);

        selection.Backend.Name.Should().Be(forced);
        runner.Invocations.Select(i => i.File).Should().Equal(save);
    }

    [Fact]
    public async Task DetectAsync_ForcedBackendBroken_ThrowsNamingTheFlag()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner().On("iptables-legacy-save", exitCode: 3, stderr: "can't initialize iptables table");

        Func<Task> act = () => new IptablesBackendDetector(new IptablesCommands(runner), NullLogger.Instance).DetectAsync(IpFamily.V4, "legacy", CancellationToken.None);

        (await act.Should().ThrowAsync<CaptureException>()).Which.Message.Should().Contain("--force-iptables-binary legacy").And.Contain("can't initialize");
    }

    [Fact]
    public async Task DetectAsync_NoLegacyTableLoaded_DoesNotRunLegacySave()
    {
        FakeIptablesRunner runner = new();

        BackendSelection selection = await new IptablesBackendDetector(new IptablesCommands(runner), NullLogger.Instance, _ => false)
            .DetectAsync(IpFamily.V4, null, CancellationToken.None);

        selection.Backend.Name.Should().Be("nft");
        runner.Invocations.Select(i => i.File).Should().Equal("iptables-nft-save");
    }

    private static Task<BackendSelection> Detect(FakeIptablesRunner runner, IpFamily family)
        => new IptablesBackendDetector(new IptablesCommands(runner), NullLogger.Instance).DetectAsync(family, null, CancellationToken.None);
}
