using System.CommandLine;
using System.Text.Json;
using Capture.Init.Cli;
using Capture.Init.Console;
using Capture.Init.Explain;
using Capture.Init.Iptables;
using Capture.Init.Rules;
using Capture.Init.Tests.Fakes;

namespace Capture.Init.Tests.Explain;

[Collection(CliTestGroup.Name)]
public class ExplainCommandTests
{
    private static readonly string[] s_istioInit = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"];

    [Fact]
    public void Explain_IstioInitFlags_PrintsPathAndVerdict()
    {
        CliRun run = new CliHarness().Run(["explain", .. s_istioInit, "--dst", "10.1.2.3:8080"]);

        run.ExitCode.Should().Be(0, run.Error);
        run.Out.Should().Contain("#1 -A OUTPUT -j ISTIO_OUTPUT")
            .And.Contain("#1 -A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001")
            .And.EndWith("verdict: redirected to 15001 (outbound capture)\n");
    }

    [Fact]
    public void Explain_NativeNftables_WalksTheNftPlanWithTheSameVerdict()
    {
        CliRun run = new CliHarness().Run(["explain", .. s_istioInit, "--native-nftables", "--dst", "10.1.2.3:8080"]);
        CliRun json = new CliHarness().Run(["explain", .. s_istioInit, "--native-nftables", "--dst", "10.1.2.3:15090", "--uid", "1337", "--output", "json"]);

        run.ExitCode.Should().Be(0, run.Error);
        run.Out.Should().Contain("  istio-proxy-nat output\n")
            .And.Contain("#1 counter jump istio-output")
            .And.Contain("#1 meta l4proto tcp counter redirect to :15001")
            .And.NotContain("ISTIO_")
            .And.EndWith("verdict: redirected to 15001 (outbound capture)\n");
        json.ExitCode.Should().Be(0, json.Error);
        using JsonDocument document = JsonDocument.Parse(json.Out);
        document.RootElement.GetProperty("backend").GetString().Should().Be("nftables");
        document.RootElement.GetProperty("verdict").GetProperty("summary").GetString().Should().Be("bypassed: owner UID 1337");
        document.RootElement.GetProperty("path").EnumerateArray().Where(p => p.TryGetProperty("table", out _))
            .Select(p => p.GetProperty("table").GetString()).Should().OnlyContain(t => t == "istio-proxy-nat");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Explain_Ipv4MappedDestination_TheIpv4RulesDecide(bool nft)
    {
        // With -x 10.0.0.0/8, a connection to ::ffff:10.1.2.3 is IPv4 to 10.1.2.3 on the wire: excluded, as the kernel does.
        string[] backend = nft ? ["--native-nftables"] : [];
        CliRun excluded = new CliHarness().Run(["explain", .. s_istioInit.Select(a => a == "" ? "10.0.0.0/8" : a), .. backend, "--ipv6", "false", "--dst", "[::ffff:10.1.2.3]:8080"]);
        CliRun captured = new CliHarness().Run(["explain", .. s_istioInit, .. backend, "--ipv6", "false", "--dst", "[::ffff:192.0.2.7]:8080"]);

        excluded.ExitCode.Should().Be(0, excluded.Error);
        excluded.Out.Should().StartWith("outbound tcp 0.0.0.0:40000 → 10.1.2.3:8080").And.Contain("(IPv4)")
            .And.Contain("note: ::ffff:10.1.2.3 is an IPv4-mapped address: a connection to it is IPv4 on the wire, so the IPv4 rules decide (10.1.2.3)")
            .And.EndWith("verdict: not captured: 10.0.0.0/8 is excluded (-x)\n");
        captured.Out.Should().EndWith("verdict: redirected to 15001 (outbound capture)\n").And.NotContain("IPv6 rules are off");
    }

    [Theory]
    [InlineData("-x", "::ffff:10.0.0.1/128", "10.0.0.1/32")]
    [InlineData("-i", "::ffff:10.0.0.0/104", "10.0.0.0/8")]
    public void Run_Ipv4MappedCidr_RefusedWithTheIpv4Range(string flag, string value, string ipv4)
    {
        CliRun run = new CliHarness().Run(["-p", "15001", flag, value, "--dry-run"]);

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().ContainSingle().Which.Should().EndWith($"'{value}' is an IPv4-mapped IPv6 range, which never matches: the kernel sends and receives that traffic as IPv4; write {ipv4} instead");
    }

    [Fact]
    public void Explain_OutputJson_WritesVerdictForTools()
    {
        CliRun run = new CliHarness().Run(["explain", .. s_istioInit, "--direction", "inbound", "--dst", "10.1.0.2:15090", "--output", "json"]);

        run.ExitCode.Should().Be(0, run.Error);
        using JsonDocument json = JsonDocument.Parse(run.Out);
        JsonElement verdict = json.RootElement.GetProperty("verdict");
        verdict.GetProperty("kind").GetString().Should().Be("not-captured");
        verdict.GetProperty("summary").GetString().Should().Be("not captured: port 15090 is excluded (-d)");
        json.RootElement.GetProperty("path").GetArrayLength().Should().BeGreaterThan(2);
    }

    [Fact]
    public void Explain_Ipv6DestinationWithIpv6Off_SaysSo()
    {
        CliRun run = new CliHarness().Run(["explain", .. s_istioInit, "--ipv6", "false", "--dst", "[fd00::1]:80"]);

        run.ExitCode.Should().Be(0, run.Error);
        run.Out.Should().Contain("note: IPv6 rules are off").And.Contain("verdict: not captured");
    }

    [Theory]
    [InlineData("--dst", "nope", "capture-init: --dst: 'nope' is not ADDRESS:PORT (e.g. 10.1.2.3:8080 or [fd00::1]:8080)")]
    [InlineData("--dst", "10.1.2.3", "capture-init: --dst: '10.1.2.3' is not ADDRESS:PORT (e.g. 10.1.2.3:8080 or [fd00::1]:8080)")]
    [InlineData("--dst", "010.1.2.3:8080", "capture-init: --dst: '010.1.2.3:8080' is not ADDRESS:PORT (e.g. 10.1.2.3:8080 or [fd00::1]:8080)")] // framework: 8.1.2.3
    [InlineData("--dst", "10.1:8080", "capture-init: --dst: '10.1:8080' is not ADDRESS:PORT (e.g. 10.1.2.3:8080 or [fd00::1]:8080)")] // framework: 10.0.0.1
    [InlineData("--dst", "[fe80::1%eth0]:80", "capture-init: --dst: '[fe80::1%eth0]:80' is not ADDRESS:PORT (e.g. 10.1.2.3:8080 or [fd00::1]:8080)")]
    [InlineData("--dst", "10.1.2.3:0", "capture-init: --dst: '10.1.2.3:0' is not ADDRESS:PORT (e.g. 10.1.2.3:8080 or [fd00::1]:8080)")]
    [InlineData("--dst", "10.1.2.3:65536", "capture-init: --dst: '10.1.2.3:65536' is not ADDRESS:PORT (e.g. 10.1.2.3:8080 or [fd00::1]:8080)")]
    [InlineData("--src", "010.0.0.1", "capture-init: --src: '010.0.0.1' is not ADDRESS or ADDRESS:PORT")]
    [InlineData("--protocol", "sctp", "capture-init: --protocol: 'sctp' is not tcp or udp")]
    public void Explain_BadConnection_OneLineErrorAndExit1(string flag, string value, string error)
    {
        string[] args = flag == "--dst" ? ["explain", flag, value] : ["explain", "--dst", "10.1.2.3:80", flag, value];

        CliRun run = new CliHarness().Run(args);

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal(error);
        run.Out.Should().BeEmpty();
    }

    [Fact]
    public void Explain_BadCaptureFlag_ReportedLikeApply()
    {
        CliRun run = new CliHarness().Run(["explain", "-p", "99999", "--dst", "10.1.2.3:80"]);

        run.ExitCode.Should().Be(1);
        run.Error.Should().Contain("99999");
    }

    [Fact]
    public void Explain_Live_UsesTheLiveRulesNotThePlan()
    {
        IptablesState live = IptablesSaveParser.Parse("*nat\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9999\nCOMMIT\n");
        using var console = new BufferedConsole();
        var harness = new CliHarness();
        var services = new CaptureCliServices(console, harness.Environment, harness.HostFactsReader, harness.NamespaceRunner, _ => harness.Applier);
        var root = new RootCommand { ExplainCommand.Create(services, _ => new FakeLiveRules(live)) };

        int exitCode = CaptureCli.Parse(root, ["explain", "--live", "--dst", "10.1.2.3:80"]).Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error });

        exitCode.Should().Be(0, console.ErrorText);
        console.OutText.Should().EndWith("verdict: redirected to 9999\n");
    }
}
