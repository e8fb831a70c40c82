using System.Net;
using Capture.Proxy.Contracts;
using Capture.Proxy.Reactor;
using Microsoft.Extensions.Logging;

namespace Capture.Proxy.Listening;

/// <summary>One event loop's listeners (SO_REUSEPORT siblings of the other loops'), their accept limits, and closing them on drain.</summary>
internal sealed class LoopListeners : IDisposable
{
    private readonly Acceptor[] _acceptors;
    private readonly AcceptLimits _limits;

    public LoopListeners(EventLoop loop, ListenerSocket[] listeners, ConnectionIntake intake, ILogger logger)
    {
        _limits = new AcceptLimits(loop, logger);
        _acceptors = new Acceptor[listeners.Length];
        for (int i = 0; i < listeners.Length; i++)
        {
            _acceptors[i] = new Acceptor(loop, listeners[i], _limits, intake, logger);
        }

        _limits.Guard(_acceptors);
        foreach (Acceptor acceptor in _acceptors)
        {
            acceptor.Register();
        }
    }

    /// <summary>Loop thread only: stops accepting on the listeners of <paramref name="direction"/>; open connections go on.</summary>
    public void Close(TrafficDirection direction)
    {
        foreach (Acceptor acceptor in _acceptors)
        {
            if (acceptor.Listener.Direction == direction)
            {
                acceptor.Close();
            }
        }
    }

    /// <summary>Work for the loop's thread: close the inbound listeners, or all of them.</summary>
    public ILoopWork CloseWork(bool inboundOnly) => new CloseListeners(this, inboundOnly);

    public IPEndPoint[] EndPoints(TrafficDirection direction)
    {
        List<IPEndPoint> endPoints = [];
        foreach (Acceptor acceptor in _acceptors)
        {
            if (acceptor.Listener.Direction == direction)
            {
                endPoints.Add(acceptor.Listener.EndPoint);
            }
        }

        return [.. endPoints];
    }

    public void Dispose()
    {
        foreach (Acceptor acceptor in _acceptors)
        {
            acceptor.Close();
        }

        _limits.Dispose();
    }

    private sealed class CloseListeners(LoopListeners listeners, bool inboundOnly) : ILoopWork
    {
        public void Run()
        {
            listeners.Close(TrafficDirection.Inbound);
            if (!inboundOnly)
            {
                listeners.Close(TrafficDirection.Outbound);
            }
        }
    }
}
