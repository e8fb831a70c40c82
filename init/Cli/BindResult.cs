using Capture.Init.Configuration;

namespace Capture.Init.Cli;

/// <summary>The options bound from argv and environment, or every problem found (one line each, naming flag and value).</summary>
internal sealed record BindResult(CaptureOptions Options, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings)
{
    public bool Succeeded => Errors.Count == 0;
}
