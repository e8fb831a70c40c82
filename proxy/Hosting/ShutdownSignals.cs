using System.Runtime.InteropServices;
using Capture.Proxy.Admin;

namespace Capture.Proxy.Hosting;

/// <summary>
/// SIGTERM (the kubelet stopping the pod) and SIGINT become <see cref="IProxyLifecycle.RequestShutdown"/>: drain, then
/// exit 0. The default action (terminate at once) is cancelled; a second signal closes what is left immediately.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly PosixSignalRegistration _sigterm;
    private readonly PosixSignalRegistration _sigint;

    public ShutdownSignals(IProxyLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Handle(context, lifecycle, "SIGTERM"));
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Handle(context, lifecycle, "SIGINT"));
    }

    public void Dispose()
    {
        _sigterm.Dispose();
        _sigint.Dispose();
    }

    private static void Handle(PosixSignalContext context, IProxyLifecycle lifecycle, string name)
    {
        context.Cancel = true;
        lifecycle.RequestShutdown(name);
    }
}
