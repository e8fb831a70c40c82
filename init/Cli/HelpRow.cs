namespace Capture.Init.Cli;

/// <summary>One option in a subcommand's help: how it is written (<c>--dst ADDRESS:PORT</c>), what it does, its default.</summary>
internal sealed record HelpRow(string Usage, string Description, string DefaultText);
