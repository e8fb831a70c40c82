using Microsoft.Extensions.Logging;

namespace Capture.Init.Cli;

/// <summary>
/// Where the CLI gets its applier and namespace runner: the applying half (init/Applying, init/Iptables). Tests pass
/// their own implementations in <see cref="CaptureCliServices"/> instead.
/// </summary>
internal static class CaptureApplierFactory
{
    public static ICaptureApplier CreateApplier(ILoggerFactory loggerFactory) => new Applying.CaptureApplier(loggerFactory);

    public static INetworkNamespaceRunner CreateNamespaceRunner() => new Applying.NetworkNamespaceRunner();
}
