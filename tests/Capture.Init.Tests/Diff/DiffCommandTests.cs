using System.CommandLine;
using Capture.Init.Cli;
using Capture.Init.Configuration;
using Capture.Init.Console;
using Capture.Init.Iptables;
using Capture.Init.Rules;
using Capture.Init.Tests.Explain;
using Capture.Init.Tests.Fakes;

namespace Capture.Init.Tests.Diff;

[Collection(CliTestGroup.Name)]
public class DiffCommandTests
{
    private static readonly string[] s_istioInit = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020"];

    private static RuleSet Plan() => new CaptureRuleBuilder().Build(RuleOptions.Default with
    {
        OutboundAllCidrs = true,
        InboundAllPorts = true,
        LocalExcludePorts = [15090, 15021, 15020],
    }, HostFacts.None);

    private static (int ExitCode, string Out, string Error) Run(FakeLiveRules live, params string[] args)
    {
        using var console = new BufferedConsole();
        var harness = new CliHarness();
        var services = new CaptureCliServices(console, harness.Environment, harness.HostFactsReader, harness.NamespaceRunner, _ => harness.Applier);
        var root = new RootCommand { DiffCommand.Create(services, _ => live) };
        int exitCode = CaptureCli.Parse(root, ["diff", .. args]).Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error });
        return (exitCode, console.OutText, console.ErrorText);
    }

    [Fact]
    public void Diff_LiveMatchesPlan_Exit0()
    {
        var live = new FakeLiveRules(Plan().State(IpFamily.V4));

        (int exitCode, string output, string error) = Run(live, s_istioInit);

        exitCode.Should().Be(0, error);
        output.Should().Be("no drift: the live rules match the plan (IPv4; 6 chains, 18 rules)\n");
    }

    [Fact]
    public void Diff_RulesAgreeButTproxyRoutingOfAnotherConfigurationLeft_Exit2AndNamesIt()
    {
        var live = new FakeLiveRules(Plan().State(IpFamily.V4), routing: [new IpRuleAdd(IpFamily.V4, 1337, "133"), new IpRouteAddLocalDefault(IpFamily.V4, "133")]);

        (int exitCode, string output, _) = Run(live, s_istioInit);

        exitCode.Should().Be(2);
        output.Should().Be(
            "routing: unexpected 'ip rule add fwmark 1337 lookup 133' (TPROXY routing these flags do not have; --reconcile and --cleanup-only remove it)\n"
            + "routing: unexpected 'ip route add local default dev lo table 133' (TPROXY routing these flags do not have; --reconcile and --cleanup-only remove it)\n"
            + "drift: 2 differences in 0 chains and the routing\n");
    }

    [Fact]
    public void Diff_LiveWithoutOneRule_Exit2AndNamesTheRule()
    {
        IptablesState planned = Plan().State(IpFamily.V4);
        var live = new IptablesState(planned.Chains.Select(c => c.Name == "ISTIO_OUTPUT"
            ? new ChainState(c.Table, c.Name, c.Rules.Where(r => r.ToString() != "-m owner --uid-owner 1337 -j RETURN").ToList())
            : c).ToList());

        (int exitCode, string output, _) = Run(new FakeLiveRules(live), s_istioInit);

        exitCode.Should().Be(2);
        output.Should().Be(
            "IPv4 nat ISTIO_OUTPUT:\n"
            + "  missing     #4 -A ISTIO_OUTPUT -m owner --uid-owner 1337 -j RETURN\n"
            + "drift: 1 difference in 1 chain\n");
    }

    [Fact]
    public void Diff_Quiet_PrintsNothingButKeepsTheExitCode()
    {
        (int exitCode, string output, string error) = Run(new FakeLiveRules(IptablesState.Empty), [.. s_istioInit, "--quiet"]);

        exitCode.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().BeEmpty();
    }

    [Fact]
    public void Diff_LiveRulesUnreadable_Exit1WithOneLine()
    {
        var live = new FakeLiveRules(IptablesState.Empty, failure: new CaptureException("no working iptables here: 'iptables-nft-save' exited 1: denied"));

        (int exitCode, string output, string error) = Run(live, s_istioInit);

        exitCode.Should().Be(1);
        output.Should().BeEmpty();
        error.Should().Be("capture-init: no working iptables here: 'iptables-nft-save' exited 1: denied\n");
    }

    [Fact]
    public void Diff_Ipv6OffButIpv6ChainsLeftOver_Drift()
    {
        IptablesState ipv6 = IptablesSaveParser.Parse("*nat\n:OUTPUT ACCEPT [0:0]\n:ISTIO_OUTPUT - [0:0]\n-A OUTPUT -j ISTIO_OUTPUT\nCOMMIT\n");
        var live = new FakeLiveRules(Plan().State(IpFamily.V4), ipv6);

        (int exitCode, string output, _) = Run(live, [.. s_istioInit, "--ipv6", "false"]);

        exitCode.Should().Be(2);
        output.Should().Be(
            "IPv6 nat OUTPUT:\n  unexpected  #1 -A OUTPUT -j ISTIO_OUTPUT\n"
            + "IPv6 nat ISTIO_OUTPUT:\n  unexpected chain ISTIO_OUTPUT (not in the plan)\n"
            + "drift: 2 differences in 2 chains\n");
    }

    [Fact]
    public void Diff_OutputJson_ListsDifferences()
    {
        (int exitCode, string output, _) = Run(new FakeLiveRules(IptablesState.Empty), [.. s_istioInit, "--output", "json"]);

        exitCode.Should().Be(2);
        using System.Text.Json.JsonDocument json = System.Text.Json.JsonDocument.Parse(output);
        json.RootElement.GetProperty("drift").GetBoolean().Should().BeTrue();
        json.RootElement.GetProperty("differences").EnumerateArray().Select(d => d.GetProperty("kind").GetString())
            .Should().Contain(["missing-chain", "missing-rule"]);
    }
}
