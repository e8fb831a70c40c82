namespace Capture.Init.Configuration;

/// <summary>
/// How a run behaves, as opposed to which rules it makes: where and how the host facts are found, dry-run, validation,
/// reconcile and clean-up, the backend, the network namespace, the lock and logging. Immutable; <see cref="Default"/> is
/// istio-iptables' defaults.
/// </summary>
internal sealed partial record RunOptions
{
    /// <summary>istio-iptables' defaults: apply, in the current namespace, with the detected backend.</summary>
    public static RunOptions Default { get; } = new();

    /// <summary><c>--ipv6 auto|true|false</c>. Default auto.</summary>
    public Ipv6Mode Ipv6Mode { get; init; } = Ipv6Mode.Auto;

    /// <summary><c>--dual-stack</c>: with <see cref="Ipv6Mode.Auto"/>, IPv6 on if any global IPv6 address exists. Default false.</summary>
    public bool DualStack { get; init; }

    /// <summary><c>--resolv-conf</c>: where DNS servers are read from. Default /etc/resolv.conf.</summary>
    public string ResolvConfPath { get; init; } = "/etc/resolv.conf";

    /// <summary><c>-n/--dry-run</c>: print what would be applied, change nothing. Default false.</summary>
    public bool DryRun { get; init; }

    /// <summary><c>--run-validation</c>: self-test the redirect after applying. Default false.</summary>
    public bool RunValidation { get; init; }

    /// <summary><c>--skip-rule-apply</c>: apply nothing (with --run-validation). Default false.</summary>
    public bool SkipRuleApply { get; init; }

    /// <summary><c>--iptables-probe-port</c>: validation probe port. Default 15002.</summary>
    public int ProbePort { get; init; } = 15002;

    /// <summary><c>--probe-timeout</c>: validation timeout. Default 5 s.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary><c>--reconcile</c>: on drift, guard, clean up and re-apply. Default false.</summary>
    public bool Reconcile { get; init; }

    /// <summary><c>--cleanup-only</c>: only remove what this configuration creates. Default false.</summary>
    public bool CleanupOnly { get; init; }

    /// <summary><c>--force-apply</c>: apply even when the state looks current. Default false.</summary>
    public bool ForceApply { get; init; }

    /// <summary><c>--native-nftables</c>: Istio's nftables tables, applied with one <c>nft -f -</c>, instead of iptables. Default false.</summary>
    public bool NativeNftables { get; init; }

    /// <summary><c>--force-iptables-binary</c>: "legacy" or "nft"; null = detect. Default null.</summary>
    public string? ForceIptablesBinary { get; init; }

    /// <summary><c>--network-namespace</c>: netns path every change happens in; null = the current namespace.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary><c>--lock-timeout</c>: how long to wait for another run changing the same namespace. Default 30 s.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>--log_output_level</c>, as given (e.g. "default:info"). Default "default:info".</summary>
    public string LogOutputLevel { get; init; } = "default:info";

    /// <summary><c>--log_as_json</c>. Default false.</summary>
    public bool LogAsJson { get; init; }
}
