using System.Text;
using Capture.Init.Configuration;
using Capture.Init.Explain;
using Capture.Init.Iptables;
using Capture.Init.Nftables;
using Capture.Init.Rules;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Applying;

/// <summary>
/// <c>--native-nftables</c>: the same run as with iptables (lock, state check, reconcile, clean-up, routes,
/// validation), with Istio's <c>inet</c> tables applied by one <c>nft -f -</c>. Processes: <c>nft --version</c>,
/// <c>nft -j list ruleset</c> (the state check; it also shows iptables-nft rules of an earlier iptables run), and
/// <c>nft -f -</c> when something has to change.
/// </summary>
internal sealed partial class CaptureApplier
{
    private async Task<string> RunNftablesAsync(CaptureOptions options, RuleSet iptablesPlan, IptablesCommands commands, string where, CancellationToken cancellationToken)
    {
        var nft = new NftCommands(commands.Runner);
        Version version = await nft.CheckVersionAsync(cancellationToken).ConfigureAwait(false);
        NftLiveRuleset live = await nft.ListAsync(cancellationToken).ConfigureAwait(false);
        if (options.Run.CleanupOnly)
        {
            string cleaned = await CleanupNftablesAsync(nft, live.State, cancellationToken).ConfigureAwait(false);
            await RoutesAsync(commands, iptablesPlan, cleanup: true, cancellationToken).ConfigureAwait(false);
            return await RemoveTproxyRoutingAsync(commands, iptablesPlan, cleanup: true, cancellationToken).ConfigureAwait(false) is { } routing
                ? cleaned + "; " + routing
                : cleaned;
        }

        // Read before changing anything, so that a failed routing step removes only the routing this run added.
        RoutingState routesBefore = iptablesPlan.RouteCommands.Count == 0
            ? RoutingState.Empty
            : await RoutingState.ReadAsync(commands, iptablesPlan.RouteCommands, cancellationToken).ConfigureAwait(false);
        NftPlan plan = new NftPlanBuilder().Build(options.Rules, iptablesPlan.Host);
        NftState expected = HasOwnerNames(plan) ? plan.State.WithOwnerIds(OwnerIds.FromSystem().ResolveText) : plan.State;
        string transaction = NftTransactionRenderer.Render(plan);
        string backend = "nft " + version.ToString(3);
        IReadOnlyList<string> leftovers = await IptablesLeftoversAsync(commands, options, iptablesPlan.Ipv6Enabled, live, cancellationToken).ConfigureAwait(false);
        string outcome;
        if (live.State.IsEmpty && leftovers.Count == 0)
        {
            if (plan.Rules.Count > 0)
            {
                await nft.ApplyAsync(transaction, "applying the nft tables", cancellationToken).ConfigureAwait(false);
            }

            outcome = $"applied {plan.Rules.Count} rules in {Tables(plan)} via {backend}";
        }
        else
        {
            IReadOnlyList<NftDifference> differences = NftDiffer.Compare(expected, live.State);
            if (differences.Count == 0 && leftovers.Count == 0 && !options.Run.ForceApply)
            {
                await NftRoutesAsync(commands, nft, iptablesPlan, routesBefore, appliedFresh: false, cancellationToken).ConfigureAwait(false);
                return $"{plan.Rules.Count} rules already current ({backend})";
            }

            var reasons = new List<string>(differences.Count + 1);
            foreach (NftDifference difference in differences)
            {
                reasons.Add(difference.ToString());
            }

            if (leftovers.Count > 0)
            {
                reasons.Add("iptables capture rules of an earlier run are loaded too (" + string.Join(", ", leftovers)
                    + "): with the nft tables, both sets would capture; --reconcile removes the iptables ones");
            }

            if (!options.Run.Reconcile && !options.Run.ForceApply)
            {
                // One difference per line: a long report stays readable, and the error's length bound applies per line.
                throw new CaptureException($"nft tables in {where} differ from the plan; rerun with --reconcile to repair them:\n  "
                    + string.Join("\n  ", reasons));
            }

            // One transaction: the Istio tables that exist now are deleted (with whatever strays they hold, tables the
            // plan no longer needs included) and the planned ones written afresh, atomically.
            var repair = new StringBuilder(transaction.Length + 256);
            NftTransactionRenderer.RenderDelete(live.State.Tables, repair);
            repair.Append(transaction);
            await nft.ApplyAsync(repair.ToString(), "reconciling the nft tables", cancellationToken).ConfigureAwait(false);
            outcome = differences.Count == 0 && leftovers.Count == 0
                ? $"re-applied {plan.Rules.Count} rules via {backend} (--force-apply)"
                : $"reconciled {differences.Count} differences, applied {plan.Rules.Count} rules in {Tables(plan)} via {backend}";
            if (leftovers.Count > 0)
            {
                // After the nft tables are in, so capture never stops; until this finishes both sets capture alike.
                outcome += "; " + await RemoveIptablesLeftoversAsync(commands, options, iptablesPlan, cancellationToken).ConfigureAwait(false);
            }
        }

        await NftRoutesAsync(commands, nft, iptablesPlan, routesBefore, appliedFresh: live.State.IsEmpty && leftovers.Count == 0, cancellationToken).ConfigureAwait(false);
        if ((options.Run.Reconcile || options.Run.ForceApply)
            && await RemoveTproxyRoutingAsync(commands, iptablesPlan, cleanup: false, cancellationToken).ConfigureAwait(false) is { } removed)
        {
            outcome += "; " + removed;
        }

        return outcome;
    }

    /// <summary>
    /// The routing step; if it fails, the routing this run added is removed and, when this run wrote the tables into a
    /// namespace that had none, the tables too: no capture without the routes it needs.
    /// </summary>
    private static async Task NftRoutesAsync(
        IptablesCommands commands, NftCommands nft, RuleSet iptablesPlan, RoutingState routesBefore, bool appliedFresh, CancellationToken cancellationToken)
    {
        try
        {
            await RoutesAsync(commands, iptablesPlan, cleanup: false, cancellationToken).ConfigureAwait(false);
        }
        catch (CaptureException failure)
        {
            var problems = new List<string>();
            await UndoRoutingAsync(commands, iptablesPlan, routesBefore, problems).ConfigureAwait(false);
            if (appliedFresh)
            {
                var delete = new StringBuilder(256);
                NftTransactionRenderer.RenderDelete(NftTables.All, delete);
                try
                {
                    await nft.ApplyAsync(delete.ToString(), "removing the nft tables", CancellationToken.None).ConfigureAwait(false);
                }
                catch (CaptureException removal)
                {
                    problems.Add(removal.Message);
                }
            }

            // Tables that were there before this run (a re-run, a reconcile) stay: they are what the namespace had.
            string undone = problems.Count > 0
                ? "rollback failed too: " + string.Join("; ", problems)
                : appliedFresh ? "rolled back: the nft tables and routing this run added were removed" : "rolled back: the routing this run added was removed";
            throw new CaptureException($"{failure.Message} ({undone})", failure);
        }
    }

    private static async Task<string> CleanupNftablesAsync(NftCommands nft, NftState live, CancellationToken cancellationToken)
    {
        if (live.IsEmpty)
        {
            return "nothing to clean up (nft)";
        }

        // Istio's clean-up: add then delete each table, so that a table removed meanwhile does not fail the transaction.
        var transaction = new StringBuilder(256);
        NftTransactionRenderer.RenderDelete(NftTables.All, transaction);
        await nft.ApplyAsync(transaction.ToString(), "removing the nft tables", cancellationToken).ConfigureAwait(false);
        var names = new List<string>(live.Tables.Count);
        foreach (Table table in live.Tables)
        {
            names.Add(NftTables.Name(table));
        }

        return "removed tables " + string.Join(", ", names) + " (nft)";
    }

    /// <summary>
    /// ISTIO_* chains of an iptables run: iptables-nft's show in the nft listing already; iptables-legacy's are read
    /// with its -save only when the kernel holds legacy tables in the namespace.
    /// </summary>
    private async Task<IReadOnlyList<string>> IptablesLeftoversAsync(IptablesCommands commands, CaptureOptions options, bool ipv6, NftLiveRuleset live, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        foreach (string chain in live.IptablesCaptureChains())
        {
            found.Add(chain + " (iptables-nft)");
        }

        foreach (IpFamily family in ipv6 ? new[] { IpFamily.V4, IpFamily.V6 } : new[] { IpFamily.V4 })
        {
            bool legacyLoaded = _legacyTablesLoaded?.Invoke(family) ?? IptablesBackendDetector.LegacyTablesLoaded(options.Run.NetworkNamespace, family);
            if (!legacyLoaded)
            {
                continue;
            }

            CommandResult save = await commands.SaveAsync(IptablesBackend.Legacy(family), cancellationToken).ConfigureAwait(false);
            if (!save.Succeeded)
            {
                continue;
            }

            foreach (ChainState chain in IptablesSaveParser.Parse(save.Stdout).Chains)
            {
                if (ChainNames.IsOurs(chain.Name))
                {
                    found.Add($"{(family == IpFamily.V4 ? "ip" : "ip6")} {chain.Table.Name()} {chain.Name} (iptables-legacy)");
                }
            }
        }

        return found;
    }

    /// <summary>Removes an earlier iptables run's capture rules with the iptables path's own clean-up, per family.</summary>
    private async Task<string> RemoveIptablesLeftoversAsync(IptablesCommands commands, CaptureOptions options, RuleSet iptablesPlan, CancellationToken cancellationToken)
    {
        IptablesBackendDetector detector = new(commands, _logger, _legacyTablesLoaded ?? (family => IptablesBackendDetector.LegacyTablesLoaded(options.Run.NetworkNamespace, family)));
        var outcomes = new List<string>(2);
        foreach (IpFamily family in new[] { IpFamily.V4, IpFamily.V6 })
        {
            BackendSelection selection = await detector.DetectAsync(family, null, cancellationToken).ConfigureAwait(false);
            outcomes.Add("iptables " + await CleanupFamilyAsync(commands, selection, iptablesPlan.Rules(family), cancellationToken).ConfigureAwait(false));
        }

        return string.Join("; ", outcomes);
    }

    private static string Tables(NftPlan plan) => plan.Tables.Count == 1 ? "1 table" : plan.Tables.Count + " tables";

    private static bool HasOwnerNames(NftPlan plan)
    {
        foreach (NftRule rule in plan.Rules)
        {
            foreach (NftMatch match in rule.Matches)
            {
                if (match.Field is NftField.SkUid or NftField.SkGid && !uint.TryParse(match.Value.Key, out _))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
