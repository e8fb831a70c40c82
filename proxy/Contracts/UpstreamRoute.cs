namespace Capture.Proxy.Contracts;

/// <summary>What <see cref="IUpstreamRouter.Route"/> decided: passthrough (the default value) or a hand-off to a handler.</summary>
internal readonly struct UpstreamRoute
{
    private UpstreamRoute(IConnectionHandler? handler) => Handler = handler;

    /// <summary>The event loop connects to the original destination and relays with splice, as without a router.</summary>
    public static UpstreamRoute Passthrough => default;

    /// <summary>The handler, or null for passthrough.</summary>
    public IConnectionHandler? Handler { get; }

    public bool IsHandOff => Handler is not null;

    /// <summary>The loop gives the client socket to <paramref name="handler"/> (see <see cref="IConnectionHandler.Handle"/>).</summary>
    public static UpstreamRoute HandOff(IConnectionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new UpstreamRoute(handler);
    }
}
