using Capture.Init.Configuration;
using Capture.Init.Iptables;
using Capture.Init.Rules;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Applying;

/// <summary>
/// Makes the namespace match the plan (docs/rules.md, "Applying"), spending as few processes as possible:
/// per family one <c>-save</c> (which also chooses the backend) and one <c>-restore</c> (apply, check, clean up, or
/// guard + clean up + apply + unguard in a single payload); per family one <c>ip -batch</c> for TPROXY routing.
/// </summary>
internal sealed partial class CaptureApplier : ICaptureApplier
{
    private readonly ILogger _logger;
    private readonly Func<RunOptions, IIptablesRunner> _runnerFactory;
    private readonly TimeProvider _time;
    private readonly TimeSpan? _lockRetryDelay;
    private readonly Func<IpFamily, bool>? _legacyTablesLoaded;
    private readonly Func<CaptureOptions, RuleSet, string?> _preflight;
    private readonly bool _lockNamespace;

    public CaptureApplier(ILoggerFactory loggerFactory)
        : this(
            // By name, not CreateLogger<T>: Logger<T> is a generic wrapper the runtime stubs and JITs at start-up.
            loggerFactory.CreateLogger("Capture.Init.Applying.CaptureApplier"),
            run => new ProcessIptablesRunner(run.NetworkNamespace, new Dictionary<string, string>(), loggerFactory.CreateLogger("Capture.Init.Iptables.ProcessIptablesRunner")),
            TimeProvider.System)
    {
    }

    /// <summary>
    /// For tests: a fake runner, a fake clock, no real waiting between xtables lock retries, host checks of their own,
    /// and no lock on the test process's namespace (tests running in parallel would queue on it).
    /// </summary>
    internal CaptureApplier(
        ILogger logger,
        Func<RunOptions, IIptablesRunner> runnerFactory,
        TimeProvider time,
        TimeSpan? lockRetryDelay = null,
        Func<IpFamily, bool>? legacyTablesLoaded = null,
        Func<CaptureOptions, RuleSet, string?>? preflight = null,
        bool lockNamespace = true)
    {
        _preflight = preflight ?? RunPreflight.Check;
        _lockNamespace = lockNamespace;
        _legacyTablesLoaded = legacyTablesLoaded;
        _logger = logger;
        _runnerFactory = runnerFactory;
        _time = time;
        _lockRetryDelay = lockRetryDelay;
    }

    public async Task<ExitCode> RunAsync(CaptureOptions options, RuleSet plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(plan);
        string where = options.Run.NetworkNamespace is { } path ? "network namespace " + path : "the current network namespace";
        if (!options.Run.SkipRuleApply)
        {
            // One run at a time per namespace, from the first read of the live state to the end of the apply or its
            // rollback: two runs interleaving read-then-write would each act on a state the other is changing.
            using NamespaceRunLock? runLock = _lockNamespace ? NamespaceRunLock.Acquire(options.Run.NetworkNamespace, options.Run.LockTimeout, _logger, cancellationToken) : null;

            // The run is one unit: what can fail for want of something on the host fails here, before any change.
            if (_preflight(options, plan) is { } problem)
            {
                throw new CaptureException(problem);
            }

            IptablesCommands commands = new(_runnerFactory(options.Run), lockRetryDelay: _lockRetryDelay);
            if (options.Run.NativeNftables)
            {
                string nftOutcome = await RunNftablesAsync(options, plan, commands, where, cancellationToken).ConfigureAwait(false);
                Log.Finished(_logger, nftOutcome, where);
                return await ValidateAsync(options, plan, where, cancellationToken).ConfigureAwait(false);
            }

            IptablesBackendDetector detector = new(commands, _logger, _legacyTablesLoaded ?? (family => IptablesBackendDetector.LegacyTablesLoaded(options.Run.NetworkNamespace, family)));
            // Plain loops rather than LINQ over IpFamily (a value type): Select<IpFamily, …> is JIT work at start-up.
            var detections = new List<Task<BackendSelection>>(2);
            IReadOnlyList<IpFamily> families = plan.Families;
            for (int i = 0; i < families.Count; i++)
            {
                detections.Add(detector.DetectAsync(families[i], options.Run.ForceIptablesBinary, cancellationToken));
            }

            BackendSelection[] selections = await Task.WhenAll(detections).ConfigureAwait(false);

            string[] outcomes;
            if (options.Run.CleanupOnly)
            {
                outcomes = await Task.WhenAll(selections.Select(s => CleanupFamilyAsync(commands, s, plan.Rules(s.Backend.Family), cancellationToken))).ConfigureAwait(false);
                await RoutesAsync(commands, plan, cleanup: true, cancellationToken).ConfigureAwait(false);
                if (await RemoveTproxyRoutingAsync(commands, plan, cleanup: true, cancellationToken).ConfigureAwait(false) is { } removed)
                {
                    outcomes = [.. outcomes, removed];
                }
            }
            else
            {
                // Read before changing anything, so that a failed run removes only the routing it added.
                RoutingState routesBefore = plan.RouteCommands.Count == 0
                    ? RoutingState.Empty
                    : await RoutingState.ReadAsync(commands, plan.RouteCommands, cancellationToken).ConfigureAwait(false);
                FamilyOutcome[] applied = await Task.WhenAll(selections.Select(s => ApplyFamilyAsync(commands, s, plan.Rules(s.Backend.Family), options, where, _logger, cancellationToken))).ConfigureAwait(false);
                outcomes = [.. applied.Select(a => a.Text)];
                try
                {
                    await RoutesAsync(commands, plan, cleanup: false, cancellationToken).ConfigureAwait(false);
                }
                catch (CaptureException failure)
                {
                    // The iptables step succeeded and routing did not: undo this run's part of both, so the namespace
                    // is as it was (or as clean as we can make it) rather than capturing without the routes it needs.
                    string undone = await UndoAsync(commands, selections, applied, plan, routesBefore).ConfigureAwait(false);
                    throw new CaptureException($"{failure.Message} ({undone})", failure);
                }

                if ((options.Run.Reconcile || options.Run.ForceApply)
                    && await RemoveTproxyRoutingAsync(commands, plan, cleanup: false, cancellationToken).ConfigureAwait(false) is { } removed)
                {
                    outcomes = [.. outcomes, removed];
                }
            }

            string outcome = string.Join("; ", outcomes);
            Log.Finished(_logger, outcome, where);
        }

        return await ValidateAsync(options, plan, where, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ExitCode> ValidateAsync(CaptureOptions options, RuleSet plan, string where, CancellationToken cancellationToken)
    {
        if (options.Run.RunValidation && !options.Run.CleanupOnly)
        {
            RedirectValidator validator = new(_logger, _time);
            if (!await validator.ValidateAsync(options, plan.Ipv6Enabled, cancellationToken).ConfigureAwait(false))
            {
                throw new CaptureException(
                    $"validation failed: no connection to 127.0.0.6:{options.Run.ProbePort} from uid {(options.Rules.ProxyUids.Count > 0 ? options.Rules.ProxyUids[0] : "?")} was redirected to " +
                    $"127.0.0.1:{options.Rules.InboundCapturePort} within {options.Run.ProbeTimeout.TotalSeconds} s in {where}",
                    ExitCode.ValidationFailed);
            }
        }

        return ExitCode.Success;
    }

    private static async Task<FamilyOutcome> ApplyFamilyAsync(
        IptablesCommands commands, BackendSelection selection, IReadOnlyList<Rule> rules, CaptureOptions options, string where, ILogger logger, CancellationToken cancellationToken)
    {
        IptablesBackend backend = selection.Backend;
        string family = FamilyName(backend.Family);
        IptablesState plan = IptablesState.FromRules(rules);
        IptablesState live = Parse(selection);
        StateAssessment assessment = StateAssessor.Assess(live, plan);
        // Our DROP guard still standing means a --reconcile was killed between its commits: the pod is blackholed
        // until someone finishes the job. The restarted init container has the same arguments without --reconcile, so
        // a plain run finishes it (guard, clean up, apply, unguard) rather than refusing as it would for drift.
        bool interrupted = selection.SaveOutput.Contains(RestorePayloads.GuardComment, StringComparison.Ordinal);
        if (interrupted)
        {
            assessment = new StateAssessment(StateKind.Drifted, [.. assessment.Differences, "filter: reconcile guard rules left by an interrupted run"]);
            Log.FinishingInterruptedReconcile(logger, FamilyName(backend.Family), where);
        }

        string payload = IptablesRestoreRenderer.Render(rules);
        if (assessment.Kind == StateKind.Clean)
        {
            if (rules.Count > 0)
            {
                await RestoreOrRollBackAsync(commands, backend, payload, plan, "applying the rules", cancellationToken, committedOnly: true).ConfigureAwait(false);
            }

            return new FamilyOutcome($"{family}: applied {rules.Count} rules via {backend}", Changed: rules.Count > 0);
        }

        if (assessment.Kind == StateKind.Current && !options.Run.ForceApply)
        {
            string check = RestorePayloads.Check(plan, out IReadOnlyDictionary<int, Rule> lines);
            CommandResult checkResult = await commands.RestoreAsync(backend, check, cancellationToken).ConfigureAwait(false);
            if (checkResult.Succeeded)
            {
                return new FamilyOutcome($"{family}: {rules.Count} rules already current ({backend})", Changed: false);
            }

            string missing = RestorePayloads.FailedLine(checkResult.Stderr) is { } line && lines.TryGetValue(line, out Rule? rule)
                ? $"{rule.Table.Name()}: the kernel does not hold '{rule.ToRestoreLine()}'"
                : "the kernel's -C check failed: " + checkResult.Describe();
            assessment = new StateAssessment(StateKind.Drifted, [missing]);
        }

        if (assessment.Kind == StateKind.Drifted && !options.Run.Reconcile && !options.Run.ForceApply && !interrupted)
        {
            throw new CaptureException(
                $"{family} rules in {where} differ from the plan ({backend}); rerun with --reconcile to repair them:\n  " +
                string.Join("\n  ", assessment.Differences));
        }

        // Guard, clean up, apply, unguard: one restore, table blocks committed in order, so the DROP guard stands
        // while our chains are replaced. If any block fails, RestoreOrRollBack removes guard and partial rules.
        string reconcile = RestorePayloads.Guard() + RestorePayloads.Cleanup(live, plan, selection.SaveOutput) + payload + RestorePayloads.Unguard();
        await RestoreOrRollBackAsync(commands, backend, reconcile, plan, "reconciling the rules", cancellationToken).ConfigureAwait(false);
        return new FamilyOutcome(
            assessment.Kind == StateKind.Drifted
                ? $"{family}: reconciled {assessment.Differences.Count} differences, applied {rules.Count} rules via {backend}"
                : $"{family}: re-applied {rules.Count} rules via {backend} (--force-apply)",
            Changed: true);
    }

    private static async Task<string> CleanupFamilyAsync(IptablesCommands commands, BackendSelection selection, IReadOnlyList<Rule> rules, CancellationToken cancellationToken)
    {
        IptablesBackend backend = selection.Backend;
        IptablesState plan = IptablesState.FromRules(rules);
        string payload = RestorePayloads.Cleanup(Parse(selection), plan, selection.SaveOutput);
        if (payload.Length == 0)
        {
            return $"{FamilyName(backend.Family)}: nothing to clean up ({backend})";
        }

        CommandResult result = await commands.RestoreAsync(backend, payload, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            // Another writer changed the rules between our read and our write: read again and retry once.
            CommandResult save = await commands.SaveAsync(backend, cancellationToken).ConfigureAwait(false);
            BackendSelection fresh = selection with { SaveOutput = save.Stdout };
            payload = RestorePayloads.Cleanup(Parse(fresh), plan, fresh.SaveOutput);
            result = payload.Length == 0 ? result with { ExitCode = 0 } : await commands.RestoreAsync(backend, payload, cancellationToken).ConfigureAwait(false);
            if (!save.Succeeded || !result.Succeeded)
            {
                throw new CaptureException("cleaning up failed: " + (save.Succeeded ? result : save).Describe());
            }
        }

        return $"{FamilyName(backend.Family)}: cleaned up ({backend})";
    }

    /// <summary>
    /// Runs <paramref name="payload"/>; on failure removes what of ours (and any guard) is now live, then throws. With
    /// <paramref name="committedOnly"/> (the namespace held none of ours before), only the tables this payload committed
    /// before the failing line are cleaned: a failure in its first table leaves nothing of this run behind, and what
    /// another writer created meanwhile is not this run's to delete.
    /// </summary>
    private static async Task RestoreOrRollBackAsync(
        IptablesCommands commands, IptablesBackend backend, string payload, IptablesState plan, string what, CancellationToken cancellationToken, bool committedOnly = false)
    {
        CommandResult result = await commands.RestoreAsync(backend, payload, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return;
        }

        // A payload is committed table by table, so a failure in a later table can leave earlier ones applied (and the
        // guard standing). Remove those from a fresh read: better no capture and a clear error than half of it.
        IReadOnlySet<Table>? committed = committedOnly ? RestorePayloads.TablesCommittedBefore(payload, RestorePayloads.FailedLine(result.Stderr)) : null;
        if (committed is { Count: 0 })
        {
            throw new CaptureException($"{what} with {backend.Restore} failed (nothing of this run was committed): {result.Describe()}");
        }

        string rollback = "rolled back";
        CommandResult save = await commands.SaveAsync(backend, CancellationToken.None).ConfigureAwait(false);
        if (save.Succeeded)
        {
            IptablesState live = IptablesSaveParser.Parse(save.Stdout);
            string cleanup = committed is null
                ? RestorePayloads.Cleanup(live, plan, save.Stdout)
                : RestorePayloads.Cleanup(live.InTables(committed), plan, string.Empty);
            if (cleanup.Length > 0)
            {
                CommandResult undone = await commands.RestoreAsync(backend, cleanup, CancellationToken.None).ConfigureAwait(false);
                rollback = undone.Succeeded ? "rolled back" : "rollback failed too: " + undone.Describe();
            }
        }
        else
        {
            rollback = "rollback impossible: " + save.Describe();
        }

        throw new CaptureException($"{what} with {backend.Restore} failed ({rollback}): {result.Describe()}");
    }

    private static async Task RoutesAsync(IptablesCommands commands, RuleSet plan, bool cleanup, CancellationToken cancellationToken)
    {
        if (plan.RouteCommands.Count == 0)
        {
            return;
        }

        IEnumerable<Task> batches = plan.RouteCommands.GroupBy(command => command.Family).Select(async group =>
        {
            IReadOnlyList<string> lines;
            IReadOnlySet<int>? tolerated = null;
            lines = cleanup ? RouteBatch.Cleanup(group) : RouteBatch.Apply(group, out tolerated);
            CommandResult result = await commands.IpBatchAsync(group.Key, lines, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return;
            }

            IReadOnlyList<int> failed = RouteBatch.FailedLines(result.Stderr);
            bool harmless = result.ExitCode != CommandResult.NotFoundExitCode && failed.Count > 0
                && (tolerated is null || failed.All(tolerated.Contains));
            if (!harmless)
            {
                // Name the line that failed, as the user would type it: "ip -6 addr replace ::6/128 dev lo".
                int first = failed.FirstOrDefault(line => tolerated is null || !tolerated.Contains(line));
                string step = first >= 1 && first <= lines.Count
                    ? $"the routing step 'ip {(group.Key == IpFamily.V6 ? "-6 " : string.Empty)}{lines[first - 1]}'"
                    : $"the routing step ({(cleanup ? "removing" : "setting up")} {string.Join(", ", group.Select(c => "'" + c + "'"))})";
                throw new CaptureException($"{step} failed: {result.Describe()}");
            }
        });
        await Task.WhenAll(batches).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes TPROXY routing (an <c>ip rule fwmark M lookup T</c> with T's <c>local default dev lo</c>) that the plan
    /// does not have, a leftover of an earlier TPROXY configuration (a switch to REDIRECT, another mark or table); with
    /// <paramref name="cleanup"/>, all of it. Null when there was none.
    /// </summary>
    private static async Task<string?> RemoveTproxyRoutingAsync(IptablesCommands commands, RuleSet plan, bool cleanup, CancellationToken cancellationToken)
    {
        IReadOnlyList<RouteCommand> found = await RoutingState.ReadTproxyAsync(commands, [IpFamily.V4, IpFamily.V6], cancellationToken).ConfigureAwait(false);
        var stale = new List<RouteCommand>(found.Count);
        foreach (RouteCommand command in found)
        {
            if (cleanup || !plan.RouteCommands.Contains(command))
            {
                stale.Add(command);
            }
        }

        if (stale.Count == 0)
        {
            return null;
        }

        foreach (IGrouping<IpFamily, RouteCommand> group in stale.GroupBy(command => command.Family))
        {
            CommandResult result = await commands.IpBatchAsync(group.Key, RouteBatch.Cleanup(group), cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw new CaptureException($"removing the TPROXY routing of an earlier configuration ({string.Join(", ", group.Select(c => "'" + c + "'"))}) failed: {result.Describe()}");
            }
        }

        return "removed TPROXY routing these flags do not have: " + string.Join(", ", stale.Select(c => "'" + c.ToDeleteString() + "'"));
    }

    /// <summary>
    /// Undoes this run after its routing step failed: the routing changes that were not in place before the run, and
    /// the iptables rules of each family this run applied or replaced (a family found current is left alone). Says what was
    /// removed, or what could not be.
    /// </summary>
    private static async Task<string> UndoAsync(
        IptablesCommands commands, BackendSelection[] selections, FamilyOutcome[] applied, RuleSet plan, RoutingState routesBefore)
    {
        var problems = new List<string>();
        await UndoRoutingAsync(commands, plan, routesBefore, problems).ConfigureAwait(false);
        bool rulesRemoved = false;
        for (int i = 0; i < selections.Length; i++)
        {
            if (!applied[i].Changed)
            {
                continue;
            }

            rulesRemoved = true;
            IptablesBackend backend = selections[i].Backend;
            CommandResult save = await commands.SaveAsync(backend, CancellationToken.None).ConfigureAwait(false);
            if (!save.Succeeded)
            {
                problems.Add(save.Describe());
                continue;
            }

            string cleanup = RestorePayloads.Cleanup(IptablesSaveParser.Parse(save.Stdout), IptablesState.FromRules(plan.Rules(backend.Family)), save.Stdout);
            if (cleanup.Length > 0)
            {
                CommandResult undone = await commands.RestoreAsync(backend, cleanup, CancellationToken.None).ConfigureAwait(false);
                if (!undone.Succeeded)
                {
                    problems.Add(undone.Describe());
                }
            }
        }

        return problems.Count == 0
            ? "rolled back: the " + (rulesRemoved ? "iptables rules and routing" : "routing") + " this run added " + (rulesRemoved ? "were" : "was") + " removed"
            : "rollback failed too: " + string.Join("; ", problems);
    }

    /// <summary>Removes the routing changes of <paramref name="plan"/> that were not in place before this run.</summary>
    private static async Task UndoRoutingAsync(IptablesCommands commands, RuleSet plan, RoutingState routesBefore, List<string> problems)
    {
        foreach (IGrouping<IpFamily, RouteCommand> group in plan.RouteCommands.Where(command => !routesBefore.Holds(command)).GroupBy(command => command.Family))
        {
            // Every line may fail (the change never happened); only not being able to run ip at all is a problem.
            CommandResult result = await commands.IpBatchAsync(group.Key, RouteBatch.Cleanup(group), CancellationToken.None).ConfigureAwait(false);
            if (result.ExitCode == CommandResult.NotFoundExitCode)
            {
                problems.Add(result.Describe());
            }
        }
    }

    private static IptablesState Parse(BackendSelection selection)
    {
        try
        {
            return IptablesSaveParser.Parse(selection.SaveOutput);
        }
        catch (FormatException exception)
        {
            throw new CaptureException($"cannot read the output of {selection.Backend.Save}: {exception.Message}", exception);
        }
    }

    private static string FamilyName(IpFamily family) => family == IpFamily.V4 ? "IPv4" : "IPv6";

    /// <summary>What one family's iptables step said, and whether it changed the namespace (so a rollback must undo it).</summary>
    private readonly record struct FamilyOutcome(string Text, bool Changed);

    private static partial class Log
    {
        [LoggerMessage(EventId = 410, Level = LogLevel.Information, EventName = "CaptureApplied", Message = "{Outcome} in {Where}")]
        public static partial void Finished(ILogger logger, string outcome, string where);

        [LoggerMessage(EventId = 411, Level = LogLevel.Warning, EventName = "FinishingInterruptedReconcile",
            Message = "{Family}: found the reconcile guard (DROP) of an interrupted capture-init run in {Where}: finishing its job (clean up, apply, remove the guard)")]
        public static partial void FinishingInterruptedReconcile(ILogger logger, string family, string where);
    }
}
