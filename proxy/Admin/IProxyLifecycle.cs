using Capture.Proxy.Contracts;

namespace Capture.Proxy.Admin;

/// <summary>What the admin endpoints may ask of the running proxy.</summary>
internal interface IProxyLifecycle
{
    /// <summary>Stop accepting on <paramref name="scope"/>'s listeners and report not ready, but keep running (<c>POST /drain</c>).</summary>
    void BeginDrain(string reason, DrainScope scope);

    /// <summary>Drain, then exit 0, as on SIGTERM (<c>POST /quitquitquit</c>).</summary>
    void RequestShutdown(string reason);
}
