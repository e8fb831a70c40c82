using System.CommandLine;
using System.Net;
using Capture.Proxy.Cli;
using Capture.Proxy.Configuration;
using Capture.Proxy.Contracts;
using Capture.Proxy.Logging;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Tests.Cli;

public class ProxyCliOptionsTests
{
    private static (ProxyOptions Options, IReadOnlyList<string> Problems) Bind(string[] args, Dictionary<string, string>? environment = null)
    {
        RootCommand root = ProxyCommand.Create((_, _) => Task.FromResult(0));
        ParseResult parseResult = root.Parse(args);
        parseResult.Errors.Should().BeEmpty();
        return ProxyCliOptions.Bind(parseResult, name => environment is not null && environment.TryGetValue(name, out string? value) ? value : null);
    }

    [Fact]
    public void Bind_NothingGiven_ReturnsDocumentedDefaults()
    {
        (ProxyOptions options, IReadOnlyList<string> problems) = Bind([]);

        problems.Should().BeEmpty();
        options.Should().BeEquivalentTo(ProxyOptions.Default);
        options.OutboundPort.Should().Be(15001);
        options.InboundPort.Should().Be(15006);
        options.Mode.Should().Be(InboundMode.Redirect);
        options.TproxyMark.Should().Be(1337u);
        options.Workers.Should().Be(Environment.ProcessorCount);
        options.ConnectTimeout.Should().Be(TimeSpan.FromSeconds(10));
        options.IdleTimeout.Should().Be(TimeSpan.FromHours(1));
        options.DrainDuration.Should().Be(TimeSpan.FromSeconds(5));
        options.PipeSize.Should().Be(1024 * 1024);
        options.ReadBatch.Should().Be(512 * 1024);
        options.ReadinessPort.Should().Be(15021);
        options.MetricsPort.Should().Be(15090);
        options.AdminEndpoint.Should().Be(new IPEndPoint(IPAddress.Loopback, 15000));
        options.LogLevel.Should().Be(LogLevel.Information);
        options.LogJson.Should().BeFalse();
        options.AccessLog.Should().BeTrue();
        options.Validate().Should().BeEmpty();
    }

    [Fact]
    public void Bind_EveryFlag_SetsEveryOption()
    {
        string[] args =
        [
            "--outbound-port", "16001", "--inbound-port", "16006", "--mode", "tproxy", "--tproxy-mark", "0x539",
            "--workers", "3", "--connect-timeout", "1500ms", "--idle-timeout", "1m30s", "--drain-duration", "0",
            "--pipe-size", "1Mi", "--pipe-pool-size", "0", "--read-batch", "0", "--readiness-port", "0", "--metrics-port", "16090",
            "--admin", "[::1]:16000", "--log-level", "warn", "--log-json", "--access-log", "false",
        ];

        (ProxyOptions options, IReadOnlyList<string> problems) = Bind(args);

        problems.Should().BeEmpty();
        options.Should().BeEquivalentTo(new ProxyOptions
        {
            OutboundPort = 16001,
            InboundPort = 16006,
            Mode = InboundMode.Tproxy,
            TproxyMark = 1337,
            Workers = 3,
            ConnectTimeout = TimeSpan.FromMilliseconds(1500),
            IdleTimeout = TimeSpan.FromSeconds(90),
            DrainDuration = TimeSpan.Zero,
            PipeSize = 1024 * 1024,
            PipePoolSize = 0,
            ReadBatch = 0,
            ReadinessPort = 0,
            MetricsPort = 16090,
            AdminEndpoint = new IPEndPoint(IPAddress.IPv6Loopback, 16000),
            LogLevel = LogLevel.Warning,
            LogJson = true,
            AccessLog = false,
        });
    }

    [Fact]
    public void Bind_EnvironmentOnly_OverridesDefaults()
    {
        Dictionary<string, string> environment = new()
        {
            ["CAPTURE_PROXY_OUTBOUND_PORT"] = "17001",
            ["CAPTURE_PROXY_MODE"] = "TPROXY",
            ["CAPTURE_PROXY_DRAIN_DURATION"] = "20s",
            ["CAPTURE_PROXY_LOG_JSON"] = "true",
            ["CAPTURE_PROXY_ACCESS_LOG"] = "off",
        };

        (ProxyOptions options, IReadOnlyList<string> problems) = Bind([], environment);

        problems.Should().BeEmpty();
        options.OutboundPort.Should().Be(17001);
        options.Mode.Should().Be(InboundMode.Tproxy);
        options.DrainDuration.Should().Be(TimeSpan.FromSeconds(20));
        options.LogJson.Should().BeTrue();
        options.AccessLog.Should().BeFalse();
        options.InboundPort.Should().Be(15006);
    }

    [Fact]
    public void Bind_FlagAndEnvironment_FlagWins()
    {
        Dictionary<string, string> environment = new()
        {
            ["CAPTURE_PROXY_OUTBOUND_PORT"] = "not-a-port",
            ["CAPTURE_PROXY_LOG_JSON"] = "true",
            ["CAPTURE_PROXY_ACCESS_LOG"] = "false",
        };

        (ProxyOptions options, IReadOnlyList<string> problems) =
            Bind(["--outbound-port", "18001", "--log-json", "false", "--access-log"], environment);

        problems.Should().BeEmpty("a bad environment value is not looked at when the flag is given");
        options.OutboundPort.Should().Be(18001);
        options.LogJson.Should().BeFalse();
        options.AccessLog.Should().BeTrue();
    }

    [Fact]
    public void Bind_BadValuesFromBothSources_ReportsEachWithItsSource()
    {
        Dictionary<string, string> environment = new()
        {
            ["CAPTURE_PROXY_IDLE_TIMEOUT"] = "soon",
            ["CAPTURE_PROXY_LOG_JSON"] = "maybe",
        };

        (_, IReadOnlyList<string> problems) = Bind(
            ["--outbound-port", "x", "--mode", "NAT", "--pipe-size", "64Q", "--admin", "localhost", "--log-level", "loud", "--tproxy-mark", "-1"],
            environment);

        problems.Should().BeEquivalentTo(
            "--outbound-port 'x' is not valid: expected a whole number.",
            "--mode 'NAT' is not valid: expected REDIRECT or TPROXY.",
            "--tproxy-mark '-1' is not valid: expected a whole number from 0 to 4294967295 (decimal or 0x hex).",
            "CAPTURE_PROXY_IDLE_TIMEOUT 'soon' is not valid: expected a duration such as 500ms, 10s, 5m or 1h (a bare number is seconds).",
            "--pipe-size '64Q' is not valid: expected a size in bytes such as 65536, 64Ki or 1Mi.",
            "--admin 'localhost' is not valid: expected address:port, such as 127.0.0.1:15000 or [::1]:15000.",
            "--log-level 'loud' is not valid: expected trace, debug, info, warn, error, critical or off.",
            "CAPTURE_PROXY_LOG_JSON 'maybe' is not valid: expected true or false.");
    }

    [Fact]
    public void EnvironmentVariable_EveryOption_IsPrefixedUpperSnakeAndMentionedInHelp()
    {
        foreach (Option option in ProxyCliOptions.All)
        {
            string variable = ProxyCliOptions.EnvironmentVariable(option);

            // --workloads and --certs keep Istio's names (ztunnel's LOCAL_XDS_PATH, pilot-agent's OUTPUT_CERTS).
            variable.Should().MatchRegex("^(CAPTURE_PROXY_[A-Z_]+|LOCAL_XDS_PATH|OUTPUT_CERTS)$");
            option.Description.Should().Contain($"Env: {variable}.").And.Contain("Default:");
        }
    }
}
