namespace Capture.Init;

/// <summary>Process exit codes. 0, 1 and 126 are istio-iptables' own, so existing init-container tooling reads them alike.</summary>
internal enum ExitCode
{
    /// <summary>Rules applied (or already current), dry-run printed, clean-up done, or diff found no drift.</summary>
    Success = 0,

    /// <summary>Any error: bad flag, iptables-restore failure, drift without --reconcile. Unexpected errors exit 1 as well.</summary>
    Failure = 1,

    /// <summary><c>capture-init diff</c> only: the live rules differ from the plan.</summary>
    Drift = 2,

    /// <summary><c>--run-validation</c> could not see a redirected connection before the probe timeout.</summary>
    ValidationFailed = 126,
}
