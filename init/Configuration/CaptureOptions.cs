namespace Capture.Init.Configuration;

/// <summary>
/// Everything capture-init was asked to do, after flags and environment are bound and validated: what the rules are
/// made of (<see cref="Rules"/>) and how the run behaves (<see cref="Run"/>). The host facts found at start are
/// separate (<see cref="HostFacts"/>): they are read, not asked for.
/// </summary>
internal sealed record CaptureOptions(RuleOptions Rules, RunOptions Run)
{
    /// <summary>istio-iptables' defaults.</summary>
    public static CaptureOptions Default { get; } = new(RuleOptions.Default, RunOptions.Default);

    /// <summary>
    /// Every problem with these options, one line each naming the flag and the value; empty when they can be applied.
    /// Covers what a typed value can still get wrong (ranges, loopback CIDR, group count, unsupported features).
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Rules.Validate(errors);
        Run.Validate(errors);
        return errors;
    }
}
