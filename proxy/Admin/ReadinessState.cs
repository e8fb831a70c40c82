namespace Capture.Proxy.Admin;

/// <summary>Where the proxy is in its life; only <see cref="Ready"/> answers the readiness probe with 200.</summary>
internal enum ReadinessState
{
    /// <summary>Admin endpoints are up, capture listeners are not bound yet: traffic redirected now would be refused.</summary>
    Starting,

    /// <summary>Every capture listener is bound and accepting.</summary>
    Ready,

    /// <summary>Draining: no new connections are accepted, open ones may finish.</summary>
    Draining,

    /// <summary>Shutting down: remaining connections are being closed.</summary>
    Stopped,
}
