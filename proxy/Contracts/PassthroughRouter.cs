namespace Capture.Proxy.Contracts;

/// <summary>The default router: every connection is connected and relayed by the event loop itself.</summary>
internal sealed class PassthroughRouter : IUpstreamRouter
{
    public static PassthroughRouter Instance { get; } = new();

    public UpstreamRoute Route(in ConnectionInfo connection) => UpstreamRoute.Passthrough;
}
