using Capture.Init.Applying;
using Capture.Init.Cli;
using Capture.Init.Configuration;
using Capture.Init.Rules;

namespace Capture.Init.Tests.Fakes;

/// <summary>An applier that records what it was given and returns a chosen exit code.</summary>
internal sealed class RecordingApplier(ExitCode result = ExitCode.Success) : ICaptureApplier
{
    public CaptureOptions? Options { get; private set; }

    public RuleSet? Plan { get; private set; }

    public int Calls { get; private set; }

    public Task<ExitCode> RunAsync(CaptureOptions options, RuleSet plan, CancellationToken cancellationToken)
    {
        Calls++;
        Options = options;
        Plan = plan;
        return Task.FromResult(result);
    }
}
