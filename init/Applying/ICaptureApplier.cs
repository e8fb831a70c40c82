using Capture.Init.Configuration;
using Capture.Init.Rules;

namespace Capture.Init.Applying;

/// <summary>
/// Applies a plan (everything after "build the plan": backend detection, state check, reconcile, cleanup, routes,
/// validation). The CLI owns parsing, validation, host facts and the plan; the applier owns every change to the system.
/// </summary>
internal interface ICaptureApplier
{
    /// <summary>
    /// Applies <paramref name="plan"/> as <paramref name="options"/> ask (also --cleanup-only, --skip-rule-apply,
    /// --run-validation). Anticipated failures throw <see cref="CaptureException"/>.
    /// </summary>
    Task<ExitCode> RunAsync(CaptureOptions options, RuleSet plan, CancellationToken cancellationToken);
}
