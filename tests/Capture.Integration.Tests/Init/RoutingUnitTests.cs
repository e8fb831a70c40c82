using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Init;

/// <summary>
/// A run is one unit: when the <c>ip</c> step cannot be done, or fails after the iptables step, nothing this run added
/// remains, and the error names the step that failed.
/// </summary>
public sealed class RoutingUnitTests
{
    private static readonly string[] s_tproxy = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "TPROXY", "-i", "*", "-b", "*", "--ipv6", "false"];

    [RequiresRootFact(Tools = ["ip6tables-nft-save", "sysctl"])]
    public void Ipv6True_WhileIpv6IsDisabledInTheNamespace_RefusedBeforeAnythingIsTouched()
    {
        using TestNamespace ns = TestNamespace.Create("unit");
        ns.Exec("sysctl", "-w", "net.ipv6.conf.all.disable_ipv6=1").EnsureSuccess();

        ProcessResult result = CaptureInit.RunTargeting(ns, [.. CaptureInit.DefaultIstioInitArguments, "--ipv6", "true"]);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Should().Contain("IPv6 is disabled").And.Contain("--ipv6").And.NotContain("TPROXY").And.NotContain("   at ");
        (LiveRules.SaveText(ns) + LiveRules.SaveText(ns, family: Capture.Init.Rules.IpFamily.V6)).Should().NotContain("ISTIO");
    }

    [RequiresRootFact]
    public void Tproxy_WithoutAnIpBinary_RefusedBeforeAnythingIsTouched()
    {
        using TestNamespace ns = TestNamespace.Create("unit");
        using TemporaryDirectory bin = TemporaryDirectory.WithLinksTo(Directory.GetFiles("/usr/sbin", "ip*tables*"));

        ProcessResult result = CaptureInit.RunTargeting(ns, s_tproxy, new Dictionary<string, string?> { ["PATH"] = bin.Path });

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Should().Contain("'ip'").And.Contain("iproute2").And.NotContain("   at ");
        LiveRules.SaveText(ns).Should().NotContain("ISTIO");
    }

    [RequiresRootFact]
    public void Tproxy_RouteTableNameNotInRtTables_RefusedBeforeAnythingIsTouched()
    {
        using TestNamespace ns = TestNamespace.Create("unit");

        ProcessResult result = CaptureInit.RunTargeting(ns, [.. s_tproxy, "-r", "capture-no-such-table"]);

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Trim().Should().StartWith("capture-init: -r/--istio-inbound-tproxy-route-table: 'capture-no-such-table' is not a table named in rt_tables");
        LiveRules.SaveText(ns).Should().NotContain("ISTIO");
    }

    [RequiresRootFact]
    public void Tproxy_MainRouteTable_RefusedAndThePodsRoutesStay()
    {
        using TestNamespace ns = TestNamespace.Create("unit");
        ns.Ip("link", "add", "veth-main", "type", "veth", "peer", "name", "veth-peer").EnsureSuccess();
        ns.Ip("link", "set", "veth-main", "up").EnsureSuccess();
        ns.Ip("link", "set", "veth-peer", "up").EnsureSuccess();
        ns.Ip("addr", "add", "10.77.0.2/24", "dev", "veth-main").EnsureSuccess();
        ns.Ip("route", "add", "default", "via", "10.77.0.1").EnsureSuccess();

        ProcessResult apply = CaptureInit.RunTargeting(ns, [.. s_tproxy, "-r", "main"]);
        ProcessResult cleanup = CaptureInit.RunTargeting(ns, [.. s_tproxy, "-r", "254", "--cleanup-only"]);

        apply.ExitCode.Should().Be(1, apply.ToString());
        apply.Stderr.Should().Contain("-r/--istio-inbound-tproxy-route-table: 'main' is the kernel's 'main' table");
        cleanup.ExitCode.Should().Be(1, cleanup.ToString());
        ns.Ip("route", "show", "table", "main").Stdout.Should().Contain("default via 10.77.0.1", "the pod's default route is never touched");
    }

    [RequiresRootFact]
    public void Tproxy_IpFailsAfterTheRules_RollsTheRulesBackAndNamesTheRoutingStep()
    {
        using TestNamespace ns = TestNamespace.Create("unit");
        // An ip that reads routing fine but refuses every change, as a kernel refusing the table would.
        using TemporaryDirectory bin = TemporaryDirectory.WithScript("ip", """
            #!/bin/sh
            input=$(cat)
            if printf '%s' "$input" | grep -qE '^(rule (add|del)|route (replace|del)|addr (replace|del))'; then
              printf '%s\n' "$input" | grep -nE '^(rule|route|addr)' | while IFS=: read -r n _; do
                echo 'Error: Operation not permitted.' >&2; echo "Command failed -:$n" >&2
              done
              exit 1
            fi
            printf '%s\n' "$input" | exec /usr/sbin/ip "$@"
            """);

        ProcessResult result = CaptureInit.RunTargeting(ns, s_tproxy, new Dictionary<string, string?> { ["PATH"] = bin.Path + ":" + Environment.GetEnvironmentVariable("PATH") });

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Should().Contain("rule add fwmark 1337 lookup 133").And.Contain("rolled back").And.NotContain("   at ");
        LiveRules.SaveText(ns).Should().NotContain("ISTIO", "the iptables rules this run added are removed again");
        LiveRules.SaveText(ns, family: Capture.Init.Rules.IpFamily.V6).Should().NotContain("ISTIO");
    }

    [RequiresRootFact(Tools = ["ip6tables-nft-save"])]
    public void Redirect_Ipv6AddressFailsAfterTheRules_NamesTheAddressStepNotTproxy()
    {
        using TestNamespace ns = TestNamespace.Create("unit");
        using TemporaryDirectory bin = TemporaryDirectory.WithScript("ip", """
            #!/bin/sh
            input=$(cat)
            if printf '%s' "$input" | grep -qE '^addr (replace|add)'; then
              echo 'Error: ipv6: address refused.' >&2; echo 'Command failed -:1' >&2; exit 1
            fi
            printf '%s\n' "$input" | exec /usr/sbin/ip "$@"
            """);

        ProcessResult result = CaptureInit.RunTargeting(ns, [.. CaptureInit.DefaultIstioInitArguments, "--ipv6", "true"],
            new Dictionary<string, string?> { ["PATH"] = bin.Path + ":" + Environment.GetEnvironmentVariable("PATH") });

        result.ExitCode.Should().Be(1, result.ToString());
        result.Stderr.Should().Contain("addr replace ::6/128 dev lo").And.NotContain("TPROXY").And.Contain("rolled back");
        (LiveRules.SaveText(ns) + LiveRules.SaveText(ns, family: Capture.Init.Rules.IpFamily.V6)).Should().NotContain("ISTIO");
    }
}
