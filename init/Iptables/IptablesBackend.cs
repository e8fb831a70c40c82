using Capture.Init.Rules;

namespace Capture.Init.Iptables;

/// <summary>
/// One iptables flavour for one family: the binaries to call and how. <c>legacy</c> talks to the kernel's x_tables and
/// serialises writers with the xtables lock; <c>nft</c> (iptables-nft) goes through nf_tables transactions and needs no
/// lock; <c>iptables</c> is whatever the distribution links that name to.
/// </summary>
internal sealed record IptablesBackend
{
    /// <summary>
    /// Seconds a legacy binary waits for the xtables lock per attempt (<c>--wait=N</c>). Bounded, so a lock held for
    /// good ends in a clear error after the retries instead of an init container hanging forever.
    /// </summary>
    public const int LockWaitSeconds = 2;

    private IptablesBackend(string name, IpFamily family, string prefix, string suffix, bool usesXtablesLock)
    {
        Name = name;
        Family = family;
        Iptables = prefix + suffix;
        Save = prefix + suffix + "-save";
        Restore = prefix + suffix + "-restore";
        UsesXtablesLock = usesXtablesLock;
    }

    /// <summary><c>legacy</c>, <c>nft</c> or <c>iptables</c> (the unsuffixed binaries).</summary>
    public string Name { get; }

    public IpFamily Family { get; }

    /// <summary>e.g. <c>iptables-nft</c>, <c>ip6tables-legacy</c>.</summary>
    public string Iptables { get; }

    /// <summary>e.g. <c>iptables-nft-save</c>.</summary>
    public string Save { get; }

    /// <summary>e.g. <c>ip6tables-legacy-restore</c>.</summary>
    public string Restore { get; }

    /// <summary>True for legacy: the binaries take <c>--wait</c> and may report xtables lock contention.</summary>
    public bool UsesXtablesLock { get; }

    public static IptablesBackend Legacy(IpFamily family) => new("legacy", family, Prefix(family), "-legacy", usesXtablesLock: true);

    public static IptablesBackend Nft(IpFamily family) => new("nft", family, Prefix(family), "-nft", usesXtablesLock: false);

    /// <summary>The plain <c>iptables</c>/<c>ip6tables</c> names; legacy or nft depending on the distribution's links.</summary>
    public static IptablesBackend Plain(IpFamily family) => new("iptables", family, Prefix(family), string.Empty, usesXtablesLock: true);

    /// <summary>Arguments for <see cref="Restore"/> applying a payload next to existing rules.</summary>
    public IReadOnlyList<string> RestoreArguments
        => UsesXtablesLock ? ["--noflush", $"--wait={LockWaitSeconds}"] : ["--noflush"];

    /// <summary>The binary name shown in logs, e.g. <c>iptables-nft</c>.</summary>
    public override string ToString() => Iptables;

    private static string Prefix(IpFamily family) => family == IpFamily.V4 ? "iptables" : "ip6tables";
}
