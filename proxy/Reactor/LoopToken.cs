namespace Capture.Proxy.Reactor;

/// <summary>
/// The 64-bit epoll data of every registration: generation (32 bits) | slot (30 bits) | kind (2 bits). The
/// generation lets a loop ignore a stale event for a connection closed earlier in the same batch whose slot was reused.
/// </summary>
internal static class LoopToken
{
    public const int KindListener = 0;
    public const int KindClient = 1;
    public const int KindUpstream = 2;
    public const int KindWake = 3;

    public static ulong Listener(int index) => Make(KindListener, index, 0);

    public static ulong Client(int slot, uint generation) => Make(KindClient, slot, generation);

    public static ulong Upstream(int slot, uint generation) => Make(KindUpstream, slot, generation);

    public static ulong Wake => Make(KindWake, 0, 0);

    public static int Kind(ulong token) => (int)(token & 3);

    public static int Slot(ulong token) => (int)((token >> 2) & 0x3FFF_FFFF);

    public static uint Generation(ulong token) => (uint)(token >> 32);

    private static ulong Make(int kind, int slot, uint generation) => ((ulong)generation << 32) | ((ulong)(uint)slot << 2) | (uint)kind;
}
