using Capture.Integration.Tests.Infrastructure;

namespace Capture.Integration.Tests.Init;

/// <summary>The built capture-init, run as a process the way the istio-init container runs it.</summary>
public sealed class CaptureInitCliTests
{
    [RequiresRootFact(Tools = ["iptables-nft-save"])]
    public void DefaultIstioInitFlags_ThroughNetworkNamespaceThenIpNetnsExec_AppliesThenIsANoOp()
    {
        using TestNamespace ns = TestNamespace.Create("cli");

        ProcessResult first = CaptureInit.RunTargeting(ns, CaptureInit.DefaultIstioInitArguments);
        string saved = LiveRules.SaveText(ns);
        ProcessResult second = CaptureInit.RunIn(ns, CaptureInit.DefaultIstioInitArguments);

        first.ExitCode.Should().Be(0, first.ToString());
        first.Stderr.Should().Contain($"IPv4: applied 18 rules via iptables-nft in network namespace {ns.Path}");
        saved.Should().Contain("-A OUTPUT -j ISTIO_OUTPUT").And.Contain("-A PREROUTING -p tcp -j ISTIO_INBOUND");
        second.ExitCode.Should().Be(0, second.ToString());
        second.Stderr.Should().Contain("IPv4: 18 rules already current (iptables-nft) in the current network namespace");
    }

    [RequiresRootFact(Tools = ["iptables-nft"])]
    public void Drift_WithoutReconcile_ExitsOneWithOneLineNamingTheRule()
    {
        using TestNamespace ns = TestNamespace.Create("cli");
        CaptureInit.RunTargeting(ns, CaptureInit.DefaultIstioInitArguments).EnsureSuccess();
        ns.Exec("iptables-nft", "-t", "nat", "-D", "ISTIO_OUTPUT", "-d", "127.0.0.1/32", "-j", "RETURN").EnsureSuccess();

        ProcessResult drift = CaptureInit.RunTargeting(ns, CaptureInit.DefaultIstioInitArguments);
        ProcessResult reconciled = CaptureInit.RunTargeting(ns, [.. CaptureInit.DefaultIstioInitArguments, "--reconcile"]);
        ProcessResult after = CaptureInit.RunTargeting(ns, CaptureInit.DefaultIstioInitArguments);

        drift.ExitCode.Should().Be(1, drift.ToString());
        drift.Stderr.Should().Contain("missing rule '-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN'").And.Contain("--reconcile").And.NotContain("   at ");
        reconciled.ExitCode.Should().Be(0, reconciled.ToString());
        reconciled.Stderr.Should().Contain("reconciled 1 differences");
        after.Stderr.Should().Contain("already current");
    }

    [RequiresRootFact(Tools = ["ip6tables-nft-save"])]
    public void CleanupOnly_TwiceAfterTproxyWithIpv6_LeavesNoChainJumpRouteOrAddress()
    {
        using TestNamespace ns = TestNamespace.Create("cli");
        string[] tproxy = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "TPROXY", "-i", "*", "-b", "*", "--ipv6", "true"];
        CaptureInit.RunTargeting(ns, tproxy).EnsureSuccess();

        ProcessResult first = CaptureInit.RunTargeting(ns, [.. tproxy, "--cleanup-only"]);
        ProcessResult second = CaptureInit.RunTargeting(ns, [.. tproxy, "--cleanup-only"]);

        first.ExitCode.Should().Be(0, first.ToString());
        second.ExitCode.Should().Be(0, second.ToString());
        second.Stderr.Should().Contain("IPv4: nothing to clean up").And.Contain("IPv6: nothing to clean up");
        (LiveRules.SaveText(ns) + LiveRules.SaveText(ns, family: Capture.Init.Rules.IpFamily.V6)).Should().NotContain("ISTIO");
        ns.Ip("rule", "show").Stdout.Should().NotContain("lookup 133");
        ns.Ip("-6", "rule", "show").Stdout.Should().NotContain("lookup 133");
        ns.Ip("-6", "addr", "show", "dev", "lo").Stdout.Should().NotContain("::6/128");
    }

    [RequiresRootFact(Tools = ["ip6tables-nft-save"])]
    public void Tproxy_AppliedTwice_RoutesAndAddressPresentOnce()
    {
        using TestNamespace ns = TestNamespace.Create("cli");
        string[] tproxy = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "TPROXY", "-i", "*", "-b", "*", "-d", "15090", "--ipv6", "true"];

        ProcessResult first = CaptureInit.RunTargeting(ns, tproxy);
        ProcessResult second = CaptureInit.RunTargeting(ns, tproxy);

        first.ExitCode.Should().Be(0, first.ToString());
        second.ExitCode.Should().Be(0, second.ToString());
        foreach (string family in new[] { "-4", "-6" })
        {
            ns.Ip(family, "rule", "show").Stdout.Split('\n').Where(l => l.Contains("fwmark 0x539 lookup 133", StringComparison.Ordinal))
                .Should().ContainSingle($"ip {family} rule show: the rule exists once, even after a re-run");
            ns.Ip(family, "route", "show", "table", "133").Stdout.Should().Contain("local default dev lo");
        }

        ns.Ip("-6", "addr", "show", "dev", "lo").Stdout.Should().Contain("inet6 ::6/128");
    }

    [RequiresRootFact]
    public void RunValidation_WithRules_ExitsZero()
    {
        using TestNamespace ns = TestNamespace.Create("cli");

        ProcessResult result = CaptureInit.RunTargeting(ns, [.. CaptureInit.DefaultIstioInitArguments, "--run-validation", "--probe-timeout", "5s"]);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stderr.Should().Contain("Validation passed");
    }

    [RequiresRootFact]
    public void RunValidation_WithoutRules_Exits126AfterTheTimeout()
    {
        using TestNamespace ns = TestNamespace.Create("cli");

        ProcessResult result = CaptureInit.RunTargeting(ns, [.. CaptureInit.DefaultIstioInitArguments, "--skip-rule-apply", "--run-validation", "--probe-timeout", "2s"]);

        result.ExitCode.Should().Be(126, result.ToString());
        result.Stderr.Should().Contain("validation failed");
        LiveRules.SaveText(ns).Should().NotContain("ISTIO", "--skip-rule-apply applies nothing");
    }

    [RequiresRootFact]
    public void RunValidation_TproxyWithIpv6_ChecksBothFamilies()
    {
        using TestNamespace ns = TestNamespace.Create("cli");
        string[] tproxy = ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "TPROXY", "-i", "*", "-b", "*", "--ipv6", "true", "--run-validation"];

        ProcessResult result = CaptureInit.RunTargeting(ns, [.. tproxy, "--log_output_level=default:debug"]);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stderr.Should().Contain("original destination [::6]:15002").And.Contain("original destination 127.0.0.6:15002");
    }
}
