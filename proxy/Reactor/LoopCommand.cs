namespace Capture.Proxy.Reactor;

/// <summary>Work posted to an event loop from another thread.</summary>
internal enum LoopCommand
{
    /// <summary>Close the inbound listeners: the kernel resets what waits in their accept queues; open connections go on.</summary>
    CloseInboundListeners,

    /// <summary>Close every listener.</summary>
    CloseAllListeners,

    /// <summary>Reset every open connection (the drain period ran out); the loop keeps running.</summary>
    AbortConnections,

    /// <summary>Reset every open connection and end the loop.</summary>
    Stop,
}
