using System.CommandLine;
using Capture.Init.Applying;
using Capture.Init.Configuration;
using Capture.Init.Iptables;
using Capture.Init.Nftables;
using Capture.Init.Rules;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Cli;

/// <summary>
/// The root verb, istio-iptables' only one: bind and validate the flags, read the host facts inside the target network
/// namespace, build the plan, then print it (<c>--dry-run</c>) or hand it to the applier.
/// </summary>
internal static partial class ApplyCommand
{
    public static Task<int> RunAsync(ParseResult parseResult, CaptureCliServices services, CancellationToken cancellationToken) =>
        CommandBoundary.RunAsync(
            parseResult,
            services,
            (options, loggerFactory, token) => RunAsync(options, services, loggerFactory, loggerFactory.CreateLogger("capture-init"), token),
            cancellationToken);

    /// <summary>Facts, plan, then dry-run output or the applier. Separate from binding so tests can start from options.</summary>
    public static async Task<ExitCode> RunAsync(
        CaptureOptions options, CaptureCliServices services, ILoggerFactory loggerFactory, ILogger logger, CancellationToken cancellationToken)
    {
        // Addresses are per network namespace: detect them where the rules will go, not where capture-init runs.
        HostFacts host = services.NamespaceRunner.Run(options.Run.NetworkNamespace, () => services.HostFactsReader.Read(options));
        RuleSet plan = new CaptureRuleBuilder().Build(options.Rules, host);
        foreach (string warning in plan.Warnings)
        {
            Log.PlanWarning(logger, warning);
        }

        Log.PlanBuilt(logger, plan.Ipv4Rules.Count, plan.Ipv6Enabled, plan.Ipv6Rules.Count, plan.RouteCommands.Count);
        if (options.Run.DryRun)
        {
            // With --cleanup-only, what the clean-up would remove: the apply payload would say the opposite of what runs.
            string text = (options.Run.NativeNftables, options.Run.CleanupOnly) switch
            {
                (true, true) => NftDryRunRenderer.RenderCleanup(new NftPlanBuilder().Build(options.Rules, host)),
                (true, false) => NftDryRunRenderer.Render(new NftPlanBuilder().Build(options.Rules, host)),
                (false, true) => DryRunRenderer.RenderCleanup(plan),
                (false, false) => DryRunRenderer.Render(plan),
            };
            await services.Console.Out.WriteAsync(text).ConfigureAwait(false);
            await services.Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCode.Success;
        }

        ICaptureApplier applier = services.CreateApplier(loggerFactory);
        return await applier.RunAsync(options, plan, cancellationToken).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 302, Level = LogLevel.Warning, EventName = "PlanWarning", Message = "{Warning}")]
        public static partial void PlanWarning(ILogger logger, string warning);

        [LoggerMessage(EventId = 303, Level = LogLevel.Debug, EventName = "PlanBuilt",
            Message = "Plan: {Ipv4Rules} IPv4 rules, IPv6 {Ipv6Enabled} with {Ipv6Rules} rules, {RouteCommands} ip commands")]
        public static partial void PlanBuilt(ILogger logger, int ipv4Rules, bool ipv6Enabled, int ipv6Rules, int routeCommands);
    }
}
