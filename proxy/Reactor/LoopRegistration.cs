namespace Capture.Proxy.Reactor;

/// <summary>
/// A handler's place on its loop: the slot its events are dispatched by, and the generation that tells it from an
/// earlier handler of the same slot. Generation 0 never names a live handler.
/// </summary>
internal readonly record struct LoopRegistration(int Slot, uint Generation)
{
    public static readonly LoopRegistration None = new(-1, 0);

    public bool IsValid => Generation != 0;
}
