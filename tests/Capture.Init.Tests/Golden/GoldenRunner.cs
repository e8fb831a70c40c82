using Capture.Init.Configuration;
using Capture.Init.Iptables;
using Capture.Init.Rules;
using Capture.Init.Tests.Fakes;

namespace Capture.Init.Tests.Golden;

internal sealed record GoldenOutput(string DryRun, string Ipv4Payload, string? Ipv6Payload, RuleSet Plan);

/// <summary>Runs a golden case through the CLI with the real host-facts reader (resolv.conf from a temporary file).</summary>
internal static class GoldenRunner
{
    public static GoldenOutput Run(GoldenCase golden)
    {
        string resolvConf = Path.Combine(Path.GetTempPath(), "capture-golden-" + Guid.NewGuid().ToString("N") + ".conf");
        try
        {
            File.WriteAllText(resolvConf, golden.ResolvConf ?? "");
            var harness = new CliHarness { HostFactsReader = SystemHostFactsReader.Instance };
            foreach ((string name, string value) in golden.Environment ?? [])
            {
                harness.Environment.Set(name, value);
            }

            string[] args = golden.Args.Select(a => a == "{resolv.conf}" ? resolvConf : a).ToArray();
            CliRun dryRun = harness.Run([.. args, "--dry-run"]);
            dryRun.ExitCode.Should().Be(0, "golden {0} must be a valid configuration: {1}", golden.Name, dryRun.Error);

            CliRun apply = harness.Run(args);
            apply.ExitCode.Should().Be(0, apply.Error);
            RuleSet plan = harness.Applier.Plan!;
            return new GoldenOutput(
                dryRun.Out,
                IptablesRestoreRenderer.Render(plan.Ipv4Rules),
                plan.Ipv6Enabled ? IptablesRestoreRenderer.Render(plan.Ipv6Rules) : null,
                plan);
        }
        finally
        {
            File.Delete(resolvConf);
        }
    }
}
