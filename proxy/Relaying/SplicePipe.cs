namespace Capture.Proxy.Relaying;

/// <summary>A pipe pair used as the in-kernel buffer between two sockets.</summary>
internal readonly record struct SplicePipe(int ReadFd, int WriteFd, int Capacity)
{
    public static readonly SplicePipe None = new(-1, -1, 0);

    public bool IsValid => ReadFd >= 0;
}
