namespace Capture.Init.Cli;

/// <summary>
/// What <c>capture-init SUBCOMMAND --help</c> says, rendered by <see cref="CaptureHelp"/> in the root help's layout:
/// the subcommand's own options, then the capture flags it reads (every flag but the <see cref="CliFlag.ApplyOnly"/>
/// ones), the environment-only variables and the exit codes.
/// </summary>
internal sealed record SubcommandHelp
{
    /// <summary>The first line: what the subcommand is for.</summary>
    public required string Summary { get; init; }

    /// <summary>Usage lines, without the leading <c>Usage: </c>.</summary>
    public required IReadOnlyList<string> Usage { get; init; }

    /// <summary>A paragraph on how the capture flags are used, LF line breaks, no trailing newline.</summary>
    public required string Introduction { get; init; }

    /// <summary>The subcommand's own options, listed before the capture flags.</summary>
    public required IReadOnlyList<HelpSection> Sections { get; init; }

    /// <summary>The exit codes sentence.</summary>
    public required string ExitCodes { get; init; }
}
