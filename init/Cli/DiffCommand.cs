using System.CommandLine;
using Capture.Init.Configuration;
using Capture.Init.Diff;
using Capture.Init.Explain;
using Capture.Init.Rules;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Cli;

/// <summary>
/// <c>capture-init diff</c>: the rules these flags would install against the live rules, per table and chain. Exit 0
/// when they agree, 2 (<see cref="ExitCode.Drift"/>) when they drift, 1 on error, so it works as a readiness or
/// liveness probe (<c>--quiet</c> prints nothing).
/// </summary>
internal static class DiffCommand
{
    public static readonly Option<string?> Output = new("--output") { Description = "text (default) or json." };

    public static readonly Option<bool> Quiet = new("--quiet") { Description = "Print nothing; the exit code says it all (0 agree, 2 drift, 1 error)." };

    /// <summary>The subcommand's name: <c>capture-init diff</c>.</summary>
    public const string Name = "diff";

    /// <summary>What <c>capture-init diff --help</c> says about diff's own options (the capture flags are added from the catalog).</summary>
    /// <remarks>Built when asked for, not in the static constructor: Create runs on every start, apply included.</remarks>
    public static SubcommandHelp Help => new()
    {
        Summary = "the rules the capture flags would install against the rules loaded now, per table and chain.",
        Usage = ["capture-init diff [capture flags] [--network-namespace PATH] [--quiet] [--output text|json]"],
        Introduction =
            "Give the capture flags (or environment variables) the pod's istio-init was given: diff lists the planned\n" +
            "chains and rules missing from the namespace, the ISTIO_* chains and rules there that the plan does not have,\n" +
            "and rules in another order (with --native-nftables: Istio's nft tables, read with nft -j list ruleset), and\n" +
            "the routing: the plan's ip rule/route/addr missing, TPROXY routing the plan does not have.\n" +
            "Nothing is changed, so with --quiet it serves as a readiness or liveness probe.\n" +
            "Flags that only matter when applying rules (dry run, cleanup, reconcile, validation) are refused; their\n" +
            "environment variables are ignored.",
        Sections =
        [
            new("Output",
            [
                new("--output text|json", "Text for people, JSON for tools.", "text"),
                new("--quiet", "Print nothing; the exit code says it all.", "false"),
            ]),
        ],
        ExitCodes = "0 the live rules agree with the plan, 2 they drift, 1 any error.",
    };

    public static Command Create(CaptureCliServices services, Func<ILoggerFactory, ILiveRules>? liveRules = null)
    {
        var command = new Command(Name, "Compare the rules these flags would install with the live rules; exit 0 when they agree, 2 on drift, 1 on error.");
        CaptureCliOptions.AddTo(command);
        command.Options.Add(Quiet);
        command.Options.Add(Output);
        command.SetAction((parseResult, cancellationToken) => CommandBoundary.RunAsync(
            parseResult, services, (options, loggerFactory, token) => RunAsync(options, parseResult.GetValue(Quiet), IsJson(parseResult.GetValue(Output)), services, (liveRules ?? (f => new SystemLiveRules(f)))(loggerFactory), token),
            cancellationToken));
        return command;
    }

    private static async Task<ExitCode> RunAsync(CaptureOptions options, bool quiet, bool json, CaptureCliServices services, ILiveRules liveRules, CancellationToken cancellationToken)
    {
        HostFacts host = services.NamespaceRunner.Run(options.Run.NetworkNamespace, () => services.HostFactsReader.Read(options));
        if (options.Run.NativeNftables)
        {
            return await NftDiff.RunAsync(options, host, quiet, json, services, cancellationToken).ConfigureAwait(false);
        }

        RuleSet plan = new CaptureRuleBuilder().Build(options.Rules, host);
        var live = new Dictionary<IpFamily, IptablesState>();
        foreach (IpFamily family in plan.Families)
        {
            live[family] = await liveRules.ReadAsync(family, options.Run, cancellationToken).ConfigureAwait(false);
        }

        DiffReport report = RuleSetDiffer.Compare(plan, family => live[family], OwnerIds.FromSystem().ResolveText);

        // IPv6 off in the plan: leftovers of an earlier IPv6 configuration are drift too. No working ip6tables here
        // means there can be none.
        if (!plan.Ipv6Enabled)
        {
            try
            {
                IptablesState leftover = await liveRules.ReadAsync(IpFamily.V6, options.Run, cancellationToken).ConfigureAwait(false);
                report = report with { Differences = [.. report.Differences, .. RuleSetDiffer.Compare(IpFamily.V6, IptablesState.Empty, leftover)] };
            }
            catch (CaptureException)
            {
                // ip6tables unusable in this namespace: no IPv6 rules can exist to drift.
            }
        }

        // Routing is part of the state: the plan's ip rule/route/addr, and TPROXY routing of another configuration.
        IReadOnlyList<RouteCommand> routing = await liveRules.ReadRoutingAsync(plan.RouteCommands, options.Run, cancellationToken).ConfigureAwait(false);
        report = report with { RoutingDifferences = RoutingDifferences.Compare(plan.RouteCommands, routing) };

        if (!quiet)
        {
            if (json)
            {
                using var buffer = new MemoryStream();
                DiffJsonWriter.Write(report, buffer);
                await services.Console.Out.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray())).ConfigureAwait(false);
            }
            else
            {
                DiffTextWriter.Write(report, services.Console.Out);
            }

            await services.Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return report.HasDrift ? ExitCode.Drift : ExitCode.Success;
    }

    private static bool IsJson(string? output) => output?.ToLowerInvariant() switch
    {
        null or "text" => false,
        "json" => true,
        _ => throw new CaptureException($"--output: '{output}' is not text or json"),
    };
}
