using System.Net;
using Capture.Proxy.Cli;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Hosting;
using Capture.Proxy.Tests.Hosting;

namespace Capture.Proxy.Tests.Cli;

public class ProxyCommandTests
{
    [Fact]
    public async Task RunAsync_Help_ListsEveryFlagAndExitsZero()
    {
        using StringWriter stdout = new();
        using StringWriter stderr = new();

        int exit = await ProxyCommand.RunAsync(["--help"], _ => null, NoEngine, stdout, stderr);

        exit.Should().Be(0);
        string help = stdout.ToString();
        foreach (System.CommandLine.Option option in ProxyCliOptions.All)
        {
            help.Should().Contain(option.Name);
        }

        help.Should().Contain("CAPTURE_PROXY_DRAIN_DURATION").And.Contain("Default: 5s");
        stderr.ToString().Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_ProblemsInFlagsEnvironmentAndValues_ReportsAllOneLineEachAndExitsOne()
    {
        using StringWriter stdout = new();
        using StringWriter stderr = new();
        string? Environment(string name) => name == "CAPTURE_PROXY_WORKERS" ? "0" : null;

        int exit = await ProxyCommand.RunAsync(
            ["--outbound-port", "99999", "--idle-timeout", "forever", "--pipe-size", "3000", "--no-such-flag"],
            Environment, NoEngine, stdout, stderr);

        exit.Should().Be(1);
        string[] lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(5);
        lines.Should().OnlyContain(line => line.StartsWith("capture-proxy: ", StringComparison.Ordinal));
        string all = stderr.ToString();
        all.Should().Contain("--no-such-flag")
            .And.Contain("--outbound-port 99999 is out of range")
            .And.Contain("--idle-timeout 'forever' is not valid")
            .And.Contain("--pipe-size 3000 must be a power of two")
            .And.Contain("--workers 0 is out of range");
        all.Should().NotContain(" at ", "no stack traces for user mistakes");
    }

    [Fact]
    public async Task RunAsync_ValidationOnly_ExitsOneWithoutStartingAnything()
    {
        using StringWriter stderr = new();
        bool engineBuilt = false;

        int exit = await ProxyCommand.RunAsync(["--inbound-port", "15001"], _ => null,
            (_, _, _) => { engineBuilt = true; return new FakeRelayEngine(); }, TextWriter.Null, stderr);

        exit.Should().Be(1);
        stderr.ToString().Should().Be("capture-proxy: --outbound-port and --inbound-port are both 15001: each listener needs its own port." + Environment.NewLine);
        engineBuilt.Should().BeFalse();
    }

    [Fact]
    public async Task RunAsync_StartupFailure_PrintsOneLineAndExitsOne()
    {
        using StringWriter stderr = new();
        int[] ports = ProxyHostTests.FreePorts(3);
        string[] args =
        [
            "--readiness-port", ports[0].ToString(), "--metrics-port", ports[1].ToString(),
            "--admin", new IPEndPoint(IPAddress.Loopback, ports[2]).ToString(), "--log-level", "off", "--access-log", "false",
        ];

        int exit = await ProxyCommand.RunAsync(args, _ => null,
            (_, _, _) => new FakeRelayEngine { StartFailure = new ProxyStartException("cannot listen on 0.0.0.0:15001: address already in use") },
            TextWriter.Null, stderr);

        exit.Should().Be(1);
        stderr.ToString().Should().Be("capture-proxy: cannot listen on 0.0.0.0:15001: address already in use" + Environment.NewLine);
    }

    private static IRelayEngine NoEngine(ProxyOptions options, Proxy.Hosting.ConnectionEvents events, Microsoft.Extensions.Logging.ILoggerFactory loggerFactory) =>
        throw new InvalidOperationException("the engine must not be built for this test");
}
