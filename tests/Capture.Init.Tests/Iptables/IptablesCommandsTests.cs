using Capture.Init.Iptables;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Iptables;

public class IptablesCommandsTests
{
    private const string LockBusy = "Another app is currently holding the xtables lock. Stopped waiting after 2s.";

    [Fact]
    public async Task RestoreAsync_LockBusyTwice_RetriesUntilItSucceeds()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner()
            .On("iptables-legacy-restore", exitCode: 4, stderr: LockBusy, once: true)
            .On("iptables-legacy-restore", exitCode: 4, stderr: LockBusy, once: true);
        IptablesCommands commands = new(runner, lockRetries: 6, lockRetryDelay: TimeSpan.Zero);

        CommandResult result = await commands.RestoreAsync(IptablesBackend.Legacy(IpFamily.V4), "*nat\nCOMMIT\n", CancellationToken.None);

        result.Succeeded.Should().BeTrue();
        runner.Invocations.Should().HaveCount(3).And.OnlyContain(i => i.Stdin == "*nat\nCOMMIT\n");
    }

    [Fact]
    public async Task RestoreAsync_LockNeverFree_ThrowsClearErrorAfterAllAttempts()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner().On("iptables-legacy-restore", exitCode: 4, stderr: LockBusy);
        IptablesCommands commands = new(runner, lockRetries: 3, lockRetryDelay: TimeSpan.Zero);

        Func<Task> act = () => commands.RestoreAsync(IptablesBackend.Legacy(IpFamily.V4), "*nat\nCOMMIT\n", CancellationToken.None);

        (await act.Should().ThrowAsync<CaptureException>()).Which.Message.Should()
            .Contain("xtables lock stayed busy through 4 attempts").And.Contain("iptables-legacy-restore");
        runner.Invocations.Should().HaveCount(4);
    }

    [Fact]
    public async Task RestoreAsync_OtherFailure_ReturnedWithoutRetry()
    {
        FakeIptablesRunner runner = new FakeIptablesRunner().On("iptables-nft-restore", exitCode: 1, stderr: "iptables-restore: line 2 failed");
        IptablesCommands commands = new(runner, lockRetries: 3, lockRetryDelay: TimeSpan.Zero);

        CommandResult result = await commands.RestoreAsync(IptablesBackend.Nft(IpFamily.V4), "*nat\nCOMMIT\n", CancellationToken.None);

        result.ExitCode.Should().Be(1);
        result.Describe().Should().Be("'iptables-nft-restore --noflush' exited 1: iptables-restore: line 2 failed");
        runner.Invocations.Should().ContainSingle();
    }

    [Theory]
    [InlineData(false, new[] { "-force", "-batch", "-" })]
    [InlineData(true, new[] { "-6", "-force", "-batch", "-" })]
    public async Task IpBatchAsync_WritesOneCommandPerLine(bool ipv6, string[] arguments)
    {
        FakeIptablesRunner runner = new();

        await new IptablesCommands(runner).IpBatchAsync(ipv6 ? IpFamily.V6 : IpFamily.V4, ["rule add fwmark 1337 lookup 133", "route replace local default dev lo table 133"], CancellationToken.None);

        FakeIptablesRunner.Invocation batch = runner.Invocations.Should().ContainSingle().Subject;
        batch.File.Should().Be("ip");
        batch.Arguments.Should().Equal(arguments);
        batch.Stdin.Should().Be("rule add fwmark 1337 lookup 133\nroute replace local default dev lo table 133\n");
    }
}
