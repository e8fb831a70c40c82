namespace Capture.Init.Cli;

/// <summary>A titled group of a subcommand's own options in its help.</summary>
internal sealed record HelpSection(string Title, IReadOnlyList<HelpRow> Rows);
