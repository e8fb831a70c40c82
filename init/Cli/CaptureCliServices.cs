using Capture.Init.Applying;
using Capture.Init.Configuration;
using Capture.Init.Console;
using Microsoft.Extensions.Logging;

namespace Capture.Init.Cli;

/// <summary>What a run of the CLI talks to; tests replace any of it.</summary>
internal sealed record CaptureCliServices(
    ICaptureConsole Console,
    IProcessEnvironment Environment,
    IHostFactsReader HostFactsReader,
    INetworkNamespaceRunner NamespaceRunner,
    Func<ILoggerFactory, ICaptureApplier> CreateApplier)
{
    /// <summary>The real process: stdout/stderr, environment, host facts, the applier.</summary>
    public static CaptureCliServices CreateSystem() => new(
        SystemConsole.Instance,
        SystemProcessEnvironment.Instance,
        SystemHostFactsReader.Instance,
        new NetworkNamespaceRunner(),
        static loggerFactory => new CaptureApplier(loggerFactory));
}
