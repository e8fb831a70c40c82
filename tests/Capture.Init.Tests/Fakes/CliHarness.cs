using Capture.Init.Cli;
using Capture.Init.Configuration;
using Capture.Init.Console;

namespace Capture.Init.Tests.Fakes;

/// <summary>Runs capture-init's CLI in-process with fakes and returns exit code, stdout and stderr.</summary>
internal sealed class CliHarness
{
    public FakeProcessEnvironment Environment { get; } = new();

    public RecordingApplier Applier { get; set; } = new();

    public IHostFactsReader HostFactsReader { get; set; } = new FakeHostFactsReader();

    public RecordingNamespaceRunner NamespaceRunner { get; } = new();

    public CliRun Run(params string[] args)
    {
        using var console = new BufferedConsole();
        var services = new CaptureCliServices(console, Environment, HostFactsReader, NamespaceRunner, _ => Applier);
        int exitCode = CaptureCli.RunAsync(args, services).GetAwaiter().GetResult();
        return new CliRun(exitCode, console.OutText, console.ErrorText);
    }
}

internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
