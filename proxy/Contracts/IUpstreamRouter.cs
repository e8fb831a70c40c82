namespace Capture.Proxy.Contracts;

/// <summary>
/// Decides how an accepted connection reaches its destination: by the event loop's own connect and splice relay
/// (<see cref="UpstreamRoute.Passthrough"/>), or by a handler that takes the client socket over (an HBONE tunnel).
/// </summary>
internal interface IUpstreamRouter
{
    /// <summary>
    /// Called on the event-loop thread for every accepted connection whose original destination is known and is not
    /// one of the proxy's own listeners, before anything else is done with it. Runs once per connection on the loop
    /// that serves every other connection of that loop: it must not block, throw or do I/O, and should not allocate.
    /// </summary>
    UpstreamRoute Route(in ConnectionInfo connection);
}
