using Capture.Init.Applying;
using Capture.Init.Configuration;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Applying;

public class RouteBatchTests
{
    private static readonly RuleSet s_tproxy = new CaptureRuleBuilder().Build(RuleOptions.Default with
    {
        InterceptionMode = InterceptionMode.TProxy,
        InboundAllPorts = true,
    }, HostFacts.None with { Ipv6Enabled = true });

    [Fact]
    public void Apply_Ipv4_DeletesTheRuleBeforeAddingItAndReplacesTheRoute()
    {
        IReadOnlyList<string> lines = RouteBatch.Apply(s_tproxy.RouteCommands.Where(c => c.Family == IpFamily.V4), out IReadOnlySet<int> tolerated);

        lines.Should().Equal("rule del fwmark 1337 lookup 133", "rule add fwmark 1337 lookup 133", "route replace local default dev lo table 133");
        tolerated.Should().BeEquivalentTo([1]);
    }

    [Fact]
    public void Apply_Ipv6_DropsTheFamilyFlagAndReplacesTheAddress()
    {
        IReadOnlyList<string> lines = RouteBatch.Apply(s_tproxy.RouteCommands.Where(c => c.Family == IpFamily.V6), out _);

        lines.Should().Contain("addr replace ::6/128 dev lo").And.Contain("rule add fwmark 1337 lookup 133").And.NotContain(l => l.Contains("-6", StringComparison.Ordinal));
    }

    [Fact]
    public void Cleanup_DeletesEverything()
    {
        RouteBatch.Cleanup(s_tproxy.RouteCommands.Where(c => c.Family == IpFamily.V4))
            .Should().Equal("rule del fwmark 1337 lookup 133", "route del local default dev lo table 133");
    }

    [Fact]
    public void FailedLines_ReadsEachFailure()
    {
        const string stderr = "RTNETLINK answers: No such file or directory\nCommand failed -:1\nError: ipv6: address already assigned.\nCommand failed -:4\n";

        RouteBatch.FailedLines(stderr).Should().Equal(1, 4);
    }
}
