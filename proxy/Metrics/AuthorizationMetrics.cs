using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
namespace Capture.Proxy.Metrics;

/// <summary>
/// Authorization counters: connections checked against policies (by transport), denials by the policy that decided
/// (<c>policy=""</c> with <c>reason="no_allow_match"</c> when Allow policies applied and none matched), and what
/// dry-run policies would have denied. The label sets are bounded by the policies the file has held.
/// </summary>
internal sealed class AuthorizationMetrics
{
    private readonly ConcurrentDictionary<(string Policy, string Reason, string Transport), StrongBox<long>> _denied = new();
    private readonly ConcurrentDictionary<string, StrongBox<long>> _dryRunDenied = new();
    private long _checkedHbone;
    private long _checkedPlaintext;

    public void Checked(bool hbone) => Interlocked.Increment(ref hbone ? ref _checkedHbone : ref _checkedPlaintext);

    /// <summary>
    /// A connection was denied by <paramref name="policy"/> (a Deny policy matched: <paramref name="denyMatched"/>),
    /// or, with <paramref name="policy"/> empty, because Allow policies applied and none matched.
    /// </summary>
    public void Denied(string policy, bool denyMatched, bool hbone)
    {
        string reason = denyMatched ? "deny_policy" : "no_allow_match";
        StrongBox<long> counter = _denied.GetOrAdd((policy, reason, Transport(hbone)), static _ => new StrongBox<long>());
        Interlocked.Increment(ref counter.Value);
    }

    public void DryRunDenied(string policy)
    {
        StrongBox<long> counter = _dryRunDenied.GetOrAdd(policy, static _ => new StrongBox<long>());
        Interlocked.Increment(ref counter.Value);
    }

    public long DeniedCount(string policy)
    {
        long total = 0;
        foreach (KeyValuePair<(string Policy, string Reason, string Transport), StrongBox<long>> entry in _denied)
        {
            if (entry.Key.Policy == policy)
            {
                total += Volatile.Read(ref entry.Value.Value);
            }
        }

        return total;
    }

    public void WriteTo(PrometheusTextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Family("capture_authorization_checks_total", MetricType.Counter,
            "Inbound connections judged against the workloads file's policies while it had some, by transport.");
        writer.Sample("capture_authorization_checks_total", [new("transport", "hbone")], Volatile.Read(ref _checkedHbone));
        writer.Sample("capture_authorization_checks_total", [new("transport", "plaintext")], Volatile.Read(ref _checkedPlaintext));

        writer.Family("capture_authorization_denied_total", MetricType.Counter,
            "Inbound connections denied, by the policy that decided (empty with reason no_allow_match) and transport.");
        foreach (KeyValuePair<(string Policy, string Reason, string Transport), StrongBox<long>> entry in _denied.OrderBy(e => e.Key))
        {
            writer.Sample("capture_authorization_denied_total",
                [new("policy", entry.Key.Policy), new("reason", entry.Key.Reason), new("transport", entry.Key.Transport)],
                Volatile.Read(ref entry.Value.Value));
        }

        writer.Family("capture_authorization_dry_run_denied_total", MetricType.Counter,
            "Inbound connections that dry-run policies would have denied (they were not), by the dry-run policy.");
        foreach (KeyValuePair<string, StrongBox<long>> entry in _dryRunDenied.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            writer.Sample("capture_authorization_dry_run_denied_total", [new("policy", entry.Key)], Volatile.Read(ref entry.Value.Value));
        }
    }

    private static string Transport(bool hbone) => hbone ? "hbone" : "plaintext";
}
