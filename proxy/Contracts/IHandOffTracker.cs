namespace Capture.Proxy.Contracts;

/// <summary>
/// Counts handed-off connections while they are open, so the drain owner waits for them like for the loops' own
/// and can abort them at the drain deadline. Thread-safe.
/// </summary>
internal interface IHandOffTracker
{
    void Opened(HandedOffConnection connection);

    void Closed(HandedOffConnection connection);
}
