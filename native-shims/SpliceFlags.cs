namespace Capture.NativeShims;

/// <summary>splice(2) flags from fcntl.h, in native spelling.</summary>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "Named after the splice(2) flags argument it mirrors.")]
public enum SpliceFlags : uint
{
    None = 0,
    /// <summary>Move pages instead of copying, where the kernel can.</summary>
    SPLICE_F_MOVE = 1,
    /// <summary>Do not block on the pipe (the socket side follows the socket's own O_NONBLOCK).</summary>
    SPLICE_F_NONBLOCK = 2,
    /// <summary>More data follows: behaves like TCP_CORK. The relay never sets it (a steady 200 ms delay elsewhere).</summary>
    SPLICE_F_MORE = 4,
    SPLICE_F_GIFT = 8,
}
