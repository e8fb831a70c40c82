using System.Runtime.InteropServices;
using Capture.Proxy.Admin;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Hosting;

/// <summary>
/// SIGTERM (the kubelet stopping the pod) and SIGINT become <see cref="IProxyLifecycle.RequestShutdown"/>: drain, then
/// exit 0. The default action (terminate at once) is cancelled; a second signal closes what is left immediately.
/// SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2, whose default action would kill the proxy and reset every connection, are
/// logged and ignored: a sidecar has nothing to reload, and a stray signal (a terminal closing, a debugging tool, a
/// log rotator) must not take the pod's traffic down.
/// </summary>
internal sealed partial class ShutdownSignals : IDisposable
{
    // Linux's numbers (x86-64 and arm64); PosixSignal has no names for them, and raw numbers are allowed.
    private const int SIGUSR1 = 10;
    private const int SIGUSR2 = 12;

    private readonly List<PosixSignalRegistration> _registrations = [];

    public ShutdownSignals(IProxyLifecycle lifecycle, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        ArgumentNullException.ThrowIfNull(logger);
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Shutdown(context, lifecycle, "SIGTERM")));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Shutdown(context, lifecycle, "SIGINT")));
        foreach ((PosixSignal signal, string name) in new[]
        {
            (PosixSignal.SIGHUP, "SIGHUP"), (PosixSignal.SIGQUIT, "SIGQUIT"), ((PosixSignal)SIGUSR1, "SIGUSR1"), ((PosixSignal)SIGUSR2, "SIGUSR2"),
        })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Log.SignalIgnored(logger, name);
            }));
        }
    }

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private static void Shutdown(PosixSignalContext context, IProxyLifecycle lifecycle, string name)
    {
        context.Cancel = true;
        lifecycle.RequestShutdown(name);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 508, Level = LogLevel.Warning, EventName = "SignalIgnored",
            Message = "Ignoring {Signal}: capture-proxy has nothing to reload and keeps serving; SIGTERM drains and stops it")]
        public static partial void SignalIgnored(ILogger logger, string signal);
    }
}
