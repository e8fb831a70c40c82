using System.Net;
using Capture.Proxy.Contracts;
using Capture.Proxy.Metrics;
using Capture.Proxy.Workloads;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Authorization;

/// <summary>
/// Judges inbound connections by the policies of the workloads file version in force when each arrives. The policy
/// table is rebuilt once per file version (on the reload, or by the first connection that sees the new version);
/// a file without policies answers "allowed" from one reference comparison and one field read, without allocating,
/// which is what the event loops pay for every plaintext inbound connection.
/// </summary>
internal sealed partial class Authorizer
{
    private readonly Func<WorkloadIndex> _current;
    private readonly ILogger _logger;
    private volatile Snapshot _snapshot;

    public Authorizer(Func<WorkloadIndex> current, AuthorizationMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(current);
        _current = current;
        Metrics = metrics;
        _logger = logger;
        WorkloadIndex index = current();
        _snapshot = new Snapshot(index, new PolicyTable(index.Config));
    }

    public AuthorizationMetrics Metrics { get; }

    /// <summary>Follows a workloads file: the table is rebuilt on its timer thread as soon as a new version is read.</summary>
    public static Authorizer For(WorkloadsFile file, AuthorizationMetrics metrics, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(file);
        Authorizer authorizer = new(() => file.Current, metrics, logger);
        file.Changed += index => authorizer.TableFor(index);
        return authorizer;
    }

    /// <summary>The policy table of the current file version.</summary>
    public PolicyTable Table => TableFor(_current());

    /// <summary>
    /// A plaintext inbound connection (15006), on the event loop: no identity. Allocates only when the file has policies.
    /// </summary>
    public AuthorizationDecision Check(in ConnectionInfo connection)
    {
        WorkloadIndex index = _current();
        PolicyTable table = TableFor(index);
        if (table.IsEmpty)
        {
            return AuthorizationDecision.NoPolicy;
        }

        IPEndPoint source = connection.Source.ToIPEndPoint();
        IPEndPoint destination = connection.Destination.ToIPEndPoint();
        Workload? workload = index.FindWorkload(connection.Destination);
        AuthorizationRequest request = new(SourceIdentity.None, source.Address, destination.Address, destination.Port);
        AuthorizationDecision decision = table.Evaluate(workload, request);
        Record(decision, hbone: false, "", source, destination);
        return decision;
    }

    /// <summary>An HBONE stream on 15008: the peer's verified identity, the app's address, the target on this pod.</summary>
    public AuthorizationDecision Check(string peerIdentity, IPEndPoint source, IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        WorkloadIndex index = _current();
        PolicyTable table = TableFor(index);
        if (table.IsEmpty)
        {
            return AuthorizationDecision.NoPolicy;
        }

        Workload? workload = index.FindWorkload(Capture.NativeShims.NativeSocketAddress.From(destination));
        AuthorizationRequest request = new(SourceIdentity.FromUri(peerIdentity), source.Address, destination.Address, destination.Port);
        AuthorizationDecision decision = table.Evaluate(workload, request);
        Record(decision, hbone: true, peerIdentity, source, destination);
        return decision;
    }

    private PolicyTable TableFor(WorkloadIndex index)
    {
        Snapshot snapshot = _snapshot;
        if (ReferenceEquals(snapshot.Index, index))
        {
            return snapshot.Table;
        }

        // Two threads may both build the table of a new version; either result is the same, and it happens once per file change.
        PolicyTable table = new(index.Config);
        _snapshot = new Snapshot(index, table);
        return table;
    }

    private void Record(in AuthorizationDecision decision, bool hbone, string identity, IPEndPoint source, IPEndPoint destination)
    {
        Metrics.Checked(hbone);
        string from = identity.Length > 0 ? identity : "no identity (plaintext)";
        if (!decision.Allowed)
        {
            Metrics.Denied(decision.PolicyKey, decision.Outcome == AuthorizationOutcome.DenyMatched, hbone);
            if (_logger.IsEnabled(LogLevel.Information))
            {
                string text = decision.Describe();
                Log.Denied(_logger, source, from, destination, text);
            }
        }
        else if (decision.Policy is not null && _logger.IsEnabled(LogLevel.Debug))
        {
            string text = decision.Describe();
            Log.Allowed(_logger, source, from, destination, text);
        }

        if (decision.DryRunDiffers)
        {
            string policy = decision.DryRunPolicy?.Key ?? "";
            if (!decision.DryRunAllowed)
            {
                Metrics.DryRunDenied(policy);
            }

            if (_logger.IsEnabled(LogLevel.Information))
            {
                string verdict = decision.DryRunAllowed ? "allowed" : "denied";
                string by = policy.Length > 0 ? "policy " + policy : "no allow policy matching";
                string enforced = decision.Describe();
                Log.DryRun(_logger, source, from, destination, verdict, by, enforced);
            }
        }
    }

    private sealed record Snapshot(WorkloadIndex Index, PolicyTable Table);

    private static partial class Log
    {
        [LoggerMessage(EventId = 901, Level = LogLevel.Information, EventName = "AuthorizationDenied",
            Message = "Inbound connection from {Source} ({Identity}) to {Destination} {Decision}")]
        public static partial void Denied(ILogger logger, IPEndPoint source, string identity, IPEndPoint destination, string decision);

        [LoggerMessage(EventId = 902, Level = LogLevel.Debug, EventName = "AuthorizationAllowed",
            Message = "Inbound connection from {Source} ({Identity}) to {Destination} {Decision}")]
        public static partial void Allowed(ILogger logger, IPEndPoint source, string identity, IPEndPoint destination, string decision);

        [LoggerMessage(EventId = 903, Level = LogLevel.Information, EventName = "AuthorizationDryRun",
            Message = "Dry run: inbound connection from {Source} ({Identity}) to {Destination} would be {Verdict} by {Policy}; enforced: {Decision}")]
        public static partial void DryRun(ILogger logger, IPEndPoint source, string identity, IPEndPoint destination, string verdict, string policy,
            string decision);
    }
}
