namespace Capture.Proxy.Contracts;

/// <summary>What <see cref="IUpstreamRouter.Route"/> decided: passthrough (the default value) or a hand-off to a handler.</summary>
internal readonly struct UpstreamRoute
{
    private UpstreamRoute(IConnectionHandler? handler, string? policy)
    {
        Handler = handler;
        Policy = policy;
    }

    /// <summary>The event loop connects to the original destination and relays with splice, as without a router.</summary>
    public static UpstreamRoute Passthrough => default;

    /// <summary>The handler, or null for passthrough.</summary>
    public IConnectionHandler? Handler { get; }

    public bool IsHandOff => Handler is not null;

    /// <summary>
    /// <c>namespace/name</c> of the authorization policy that let the connection through, when one did: the event loop
    /// puts it in the access log of a passthrough connection (a handler writes its own summary).
    /// </summary>
    public string? Policy { get; }

    /// <summary>This route, naming the policy that allowed it.</summary>
    public UpstreamRoute WithPolicy(string policy) => new(Handler, policy);

    /// <summary>The loop gives the client socket to <paramref name="handler"/> (see <see cref="IConnectionHandler.Handle"/>).</summary>
    public static UpstreamRoute HandOff(IConnectionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return new UpstreamRoute(handler, policy: null);
    }
}
