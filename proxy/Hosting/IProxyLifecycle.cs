namespace Capture.Proxy.Hosting;

/// <summary>What the admin endpoints may ask of the running proxy.</summary>
internal interface IProxyLifecycle
{
    /// <summary>Stop accepting and report not ready, but keep running (<c>POST /drain</c>).</summary>
    void BeginDrain(string reason);

    /// <summary>Drain, then exit 0, as on SIGTERM (<c>POST /quitquitquit</c>).</summary>
    void RequestShutdown(string reason);
}
