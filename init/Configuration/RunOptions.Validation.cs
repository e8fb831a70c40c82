namespace Capture.Init.Configuration;

internal sealed partial record RunOptions
{
    /// <summary>Adds every problem with these options to <paramref name="errors"/>, one line each naming the flag and the value.</summary>
    public void Validate(List<string> errors)
    {
        RuleOptions.CheckPort(errors, "--iptables-probe-port", ProbePort);

        if (ProbeTimeout <= TimeSpan.Zero)
        {
            errors.Add($"--probe-timeout: '{ProbeTimeout}' must be longer than zero");
        }

        if (LockTimeout < TimeSpan.Zero)
        {
            errors.Add($"--lock-timeout: '{LockTimeout}' must not be negative");
        }

        if (ForceIptablesBinary is not (null or "legacy" or "nft"))
        {
            errors.Add($"--force-iptables-binary: '{ForceIptablesBinary}' is not a backend (expected legacy or nft)");
        }
    }
}
