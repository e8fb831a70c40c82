using System.Text.Json;
using Capture.Init.Configuration;
using Capture.Init.Diff;
using Capture.Init.Explain;
using Capture.Init.Iptables;
using Capture.Init.Nftables;
using Capture.Init.Rules;
using Microsoft.Extensions.Logging.Abstractions;

namespace Capture.Init.Cli;

/// <summary>
/// <c>capture-init diff --native-nftables</c>: the nft plan against Istio's live <c>inet</c> tables (one
/// <c>nft -j list ruleset</c> in the namespace). Same exit codes as the iptables diff: 0 agree, 2 drift, 1 error.
/// </summary>
internal static class NftDiff
{
    public static async Task<ExitCode> RunAsync(CaptureOptions options, HostFacts host, bool quiet, bool json, CaptureCliServices services, CancellationToken cancellationToken)
    {
        NftPlan plan = new NftPlanBuilder().Build(options.Rules, host);
        var runner = new ProcessIptablesRunner(options.Run.NetworkNamespace, new Dictionary<string, string>(), NullLogger.Instance);
        NftLiveRuleset live = await new NftCommands(runner).ListAsync(cancellationToken).ConfigureAwait(false);
        NftState expected = plan.State.WithOwnerIds(OwnerIds.FromSystem().ResolveText);
        IReadOnlyList<NftDifference> differences = NftDiffer.Compare(expected, live.State);
        IReadOnlyList<string> iptables = live.IptablesCaptureChains();
        IReadOnlyList<RouteCommand> held = await new SystemLiveRules(NullLoggerFactory.Instance).ReadRoutingAsync(plan.RouteCommands, options.Run, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> routing = RoutingDifferences.Compare(plan.RouteCommands, held);
        int drift = differences.Count + iptables.Count + routing.Count;
        if (!quiet)
        {
            TextWriter output = services.Console.Out;
            if (json)
            {
                await output.WriteLineAsync(Json(differences, iptables, routing)).ConfigureAwait(false);
            }
            else if (drift == 0)
            {
                int rules = 0;
                foreach (NftChainState chain in expected.Chains)
                {
                    rules += chain.Rules.Count;
                }

                await output.WriteLineAsync($"no drift: the live nft tables match the plan ({expected.Tables.Count} tables, {expected.Chains.Count} chains, {rules} rules)").ConfigureAwait(false);
            }
            else
            {
                foreach (NftDifference difference in differences)
                {
                    await output.WriteLineAsync(difference.ToString()).ConfigureAwait(false);
                }

                foreach (string chain in iptables)
                {
                    await output.WriteLineAsync($"iptables chain {chain}: capture rules of an iptables run, which capture as well as the nft tables").ConfigureAwait(false);
                }

                foreach (string line in routing)
                {
                    await output.WriteLineAsync(line).ConfigureAwait(false);
                }

                await output.WriteLineAsync($"drift: {drift} difference{(drift == 1 ? "" : "s")}").ConfigureAwait(false);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        return drift > 0 ? ExitCode.Drift : ExitCode.Success;
    }

    private static string Json(IReadOnlyList<NftDifference> differences, IReadOnlyList<string> iptables, IReadOnlyList<string> routing)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("backend", "nftables");
            writer.WriteBoolean("drift", differences.Count > 0 || iptables.Count > 0 || routing.Count > 0);
            writer.WriteStartArray("differences");
            foreach (NftDifference difference in differences)
            {
                writer.WriteStartObject();
                writer.WriteString("kind", difference.TableLevel
                    ? (difference.Kind == Diff.DifferenceKind.MissingChain ? "missing-table" : "unexpected-table")
                    : difference.Kind.ToString());
                writer.WriteString("table", NftTables.Name(difference.Table));
                if (!difference.TableLevel)
                {
                    writer.WriteString("chain", difference.Chain);
                }

                if (difference.Rule is { } rule)
                {
                    writer.WriteString("rule", rule);
                }

                if (difference.PlannedIndex is { } planned)
                {
                    writer.WriteNumber("plannedIndex", planned);
                }

                if (difference.LiveIndex is { } liveIndex)
                {
                    writer.WriteNumber("liveIndex", liveIndex);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("iptablesChains");
            foreach (string chain in iptables)
            {
                writer.WriteStringValue(chain);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("routing");
            foreach (string line in routing)
            {
                writer.WriteStringValue(line);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
