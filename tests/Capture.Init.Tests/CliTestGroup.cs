namespace Capture.Init.Tests;

/// <summary>
/// Tests that build capture-init's root command run one at a time: the flag catalog's options are static and
/// System.CommandLine records each command an option is added to in a plain list.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CliTestGroup
{
    public const string Name = "CLI";
}
