namespace Capture.Proxy.Reactor;

/// <summary>
/// The 64-bit epoll data of every registration: generation (32 bits) | slot (30 bits) | channel (2 bits). The
/// generation lets a loop ignore a stale event for a handler closed earlier in the same batch whose slot was reused;
/// the channel tells a handler which of its descriptors it is (a connection's client or upstream socket).
/// </summary>
internal static class LoopToken
{
    /// <summary>The highest channel a handler may use; the last value of the 2 bits is the loop's own wake-up.</summary>
    public const int MaxChannel = 2;

    public const int KindWake = 3;

    public static ulong For(LoopRegistration registration, int channel) => Make(channel, registration.Slot, registration.Generation);

    public static ulong Wake => Make(KindWake, 0, 0);

    /// <summary>The channel, or <see cref="KindWake"/>.</summary>
    public static int Kind(ulong token) => (int)(token & 3);

    public static int Slot(ulong token) => (int)((token >> 2) & 0x3FFF_FFFF);

    public static uint Generation(ulong token) => (uint)(token >> 32);

    private static ulong Make(int kind, int slot, uint generation) => ((ulong)generation << 32) | ((ulong)(uint)slot << 2) | (uint)kind;
}
