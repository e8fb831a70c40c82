using Capture.Proxy.Contracts;

namespace Capture.Proxy.Engine;

/// <summary>The handed-off connections still open, over all loops: counted while draining, aborted at its deadline.</summary>
internal sealed class HandOffSet : IHandOffTracker
{
    private readonly Lock _gate = new();
    private readonly HashSet<HandedOffConnection> _open = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    public void Opened(HandedOffConnection connection)
    {
        lock (_gate)
        {
            _open.Add(connection);
        }
    }

    public void Closed(HandedOffConnection connection)
    {
        lock (_gate)
        {
            _open.Remove(connection);
        }
    }

    /// <summary>Asks every open hand-off's handler to end it now; they leave the set as they complete.</summary>
    public void AbortAll()
    {
        HandedOffConnection[] open;
        lock (_gate)
        {
            open = [.. _open];
        }

        foreach (HandedOffConnection connection in open)
        {
            connection.Abort();
        }
    }
}
